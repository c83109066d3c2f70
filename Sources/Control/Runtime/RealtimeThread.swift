import CRealtime
import Glibc
import HAL

/// The Linux calls a real-time loop thread makes, each wrapped once, each failure carrying the
/// C function and errno. The corresponding C functions are named in each doc comment.
enum RealtimeCalls {
    /// `pthread_setschedparam(pthread_self(), SCHED_FIFO, priority)`.
    static func setFIFOPriorityOfCurrentThread(_ priority: Int32) -> RealtimeCallFailure? {
        var parameters = sched_param()
        parameters.sched_priority = priority
        let result = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters)
        return result == 0 ? nil : RealtimeCallFailure(call: "pthread_setschedparam(SCHED_FIFO, \(priority))", errno: result)
    }

    /// The calling thread's scheduling policy and priority (`pthread_getschedparam`).
    static func currentThreadPolicy() -> (isFIFO: Bool, priority: Int32) {
        var policy: Int32 = 0
        var parameters = sched_param()
        pthread_getschedparam(pthread_self(), &policy, &parameters)
        return (policy == SCHED_FIFO, parameters.sched_priority)
    }

    /// `mlockall(MCL_CURRENT | MCL_FUTURE)`: no page faults in the loop once it runs.
    static func lockAllMemory() -> RealtimeCallFailure? {
        mlockall(Int32(MCL_CURRENT | MCL_FUTURE)) == 0 ? nil : RealtimeCallFailure(call: "mlockall(MCL_CURRENT|MCL_FUTURE)", errno: errno)
    }

    /// `munlockall()`.
    static func unlockAllMemory() {
        munlockall()
    }

    /// `prctl(PR_SET_TIMERSLACK, nanoseconds)`, through the CRealtime shim.
    static func setTimerSlack(nanoseconds: UInt) -> RealtimeCallFailure? {
        let result = crt_set_timer_slack_nanoseconds(nanoseconds)
        return result == 0 ? nil : RealtimeCallFailure(call: "prctl(PR_SET_TIMERSLACK, \(nanoseconds))", errno: -result)
    }

    /// `prctl(PR_GET_TIMERSLACK)`: the calling thread's timer slack in ns, nil on failure.
    static func timerSlackNanoseconds() -> Int? {
        let result = crt_get_timer_slack_nanoseconds()
        return result < 0 ? nil : Int(result)
    }

    /// `pthread_setaffinity_np` to a single CPU, through the CRealtime shim.
    static func pinCurrentThread(toCPU cpu: Int) -> RealtimeCallFailure? {
        let result = crt_pin_current_thread_to_cpu(Int32(cpu))
        return result == 0 ? nil : RealtimeCallFailure(call: "pthread_setaffinity_np(cpu \(cpu))", errno: -result)
    }

    /// `sched_getaffinity`: the CPUs the calling thread may run on.
    static func currentThreadCPUs() -> [Int] {
        var cpus = [Int32](repeating: 0, count: 1024)
        let count = crt_current_thread_cpus(&cpus, Int32(cpus.count))
        return count < 0 ? [] : cpus[0..<Int(count)].map(Int.init)
    }

    /// Names the calling thread, as `top -H` and `ps -L` show it (`prctl(PR_SET_NAME)`, 15 bytes).
    static func nameCurrentThread(_ name: String) {
        _ = crt_set_current_thread_name(name)
    }

    /// `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline)`, resumed after signals.
    static func sleep(until deadline: MonotonicInstant) {
        var request = timespec(
            tv_sec: Int(deadline.nanoseconds / 1_000_000_000), tv_nsec: Int(deadline.nanoseconds % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &request, nil) == EINTR {}
    }
}

/// A real-time call the kernel refused: which call, and why.
public struct RealtimeCallFailure: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    /// `pthread_setschedparam(SCHED_FIFO, 80)`.
    public var call: String
    public var errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// `pthread_setschedparam(SCHED_FIFO, 80): Operation not permitted (errno 1)`.
    public var description: String {
        "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// A joinable pthread running a closure. Swift's Thread cannot set a scheduling policy before
/// the body runs, and we need the pthread_t to join it.
final class JoinablePThread {
    private var thread = pthread_t()

    /// Starts `body` on a new thread. The corresponding C function is `pthread_create`.
    init(name: String, body: @escaping @Sendable () -> Void) throws(RealtimeCallFailure) {
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(&thread, nil, { rawContext in
            let box = Unmanaged<Box>.fromOpaque(rawContext!).takeRetainedValue()
            box.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw RealtimeCallFailure(call: "pthread_create(\(name))", errno: result)
        }
    }

    /// Waits for the thread to end. The corresponding C function is `pthread_join`.
    func join() {
        pthread_join(thread, nil)
    }
}
