import Dispatch
import Foundation
import HAL
import Logging
import Synchronization

/// Runs one loop (the control loop) on a dedicated SCHED_FIFO thread: memory locked, absolute
/// deadlines with clock_nanosleep on CLOCK_MONOTONIC, timer slack 1 ns, optionally pinned to a
/// CPU. Measured on our VMs: within a few percent of cyclictest at p99 (docs/control-runtime.md).
///
/// When the kernel refuses SCHED_FIFO (no CAP_SYS_NICE and RLIMIT_RTPRIO 0, a priority out of
/// range, RT throttling), the loop runs on a `DispatchLoopExecutor` instead, loudly: a warning
/// at start, and `status.fallbackReason` in every status line and `RealtimeReport`. A refused
/// mlockall, affinity or timer slack keeps the FIFO thread and is reported the same way.
public final class RealtimeLoopExecutor: LoopExecutor, @unchecked Sendable {
    public struct Options: Sendable {
        /// SCHED_FIFO priority, 1...99. cyclictest's usual 80 leaves room above for kernel
        /// threads that must preempt us (IRQ threads run at 50 by default, so pick above 50).
        public var priority: Int32
        /// Pin the loop's thread to this CPU (nil: wherever the kernel likes).
        public var cpu: Int?
        /// mlockall(MCL_CURRENT | MCL_FUTURE) before the loop starts; undone at stop.
        public var lockMemory: Bool
        /// Timer slack for the loop's thread, in ns (prctl PR_SET_TIMERSLACK). 1 is the minimum.
        public var timerSlackNanoseconds: UInt
        /// Hold a `/dev/cpu_dma_latency` request of this many µs while running, so no CPU sleeps
        /// in an idle state slower to leave (`CPUWakeupLatencyRequest`); nil: leave idle alone.
        public var cpuWakeupLatencyMicroseconds: Int32?
        /// When set, the kernel is not asked: the executor falls back to Dispatch with this as
        /// the reason. For tests of the fallback path, and for comparisons.
        public var refuseRealtimeWithReason: String?

        public init(
            priority: Int32 = 80, cpu: Int? = nil, lockMemory: Bool = true, timerSlackNanoseconds: UInt = 1,
            cpuWakeupLatencyMicroseconds: Int32? = 0, refuseRealtimeWithReason: String? = nil
        ) {
            self.priority = priority
            self.cpu = cpu
            self.lockMemory = lockMemory
            self.timerSlackNanoseconds = timerSlackNanoseconds
            self.cpuWakeupLatencyMicroseconds = cpuWakeupLatencyMicroseconds
            self.refuseRealtimeWithReason = refuseRealtimeWithReason
        }
    }

    public let loop: PeriodicLoop
    public let options: Options
    public var loops: [PeriodicLoop] { [loop] }

    private let logger: Logger
    private let running = Atomic<Bool>(false)
    // Guarded by `lock`: start, stop and status only, never a tick.
    private let lock = NSLock()
    private var thread: JoinablePThread?
    private var fallback: DispatchLoopExecutor?
    private var wakeupLatencyRequest: CPUWakeupLatencyRequest?
    private var currentStatus: RealtimeExecutorStatus

    public init(loop: PeriodicLoop, options: Options = Options(), logger: Logger = Logger(label: "stow.control.runtime")) {
        self.loop = loop
        self.options = options
        self.logger = logger
        self.currentStatus = RealtimeExecutorStatus(loopName: loop.name, requestedPriority: options.priority, requestedCPU: options.cpu)
    }

    /// What was granted: FIFO or not, memory lock, affinity, timer slack, fallback.
    public var status: RealtimeExecutorStatus {
        lock.lock()
        defer { lock.unlock() }
        return currentStatus
    }

    public var executorDescription: String {
        status.summary
    }

    /// Starts the real-time thread, or the Dispatch fallback when real-time is refused. Returns
    /// once the thread knows whether it got SCHED_FIFO. Does nothing if already started.
    public func start() throws(LoopExecutorError) {
        lock.lock()
        defer { lock.unlock() }
        guard thread == nil, fallback == nil else { return }
        guard loop.attach() else { throw .alreadyRunning(loop) }
        currentStatus = RealtimeExecutorStatus(loopName: loop.name, requestedPriority: options.priority, requestedCPU: options.cpu)
        holdWakeupLatencyRequest()

        if let reason = options.refuseRealtimeWithReason {
            try startFallback(reason: reason)
            return
        }

        let startup = RealtimeThreadStartup()
        running.store(true, ordering: .releasing)
        do {
            thread = try JoinablePThread(name: "stow-\(loop.name)") { [self] in
                runThread(startup: startup)
            }
        } catch {
            running.store(false, ordering: .releasing)
            try startFallback(reason: error.description)
            return
        }
        startup.granted.wait()
        currentStatus = startup.status(merging: currentStatus)

        if let refusal = startup.refusal {
            thread?.join()
            thread = nil
            try startFallback(reason: refusal.description)
            return
        }
        for warning in currentStatus.warnings {
            logger.warning("loop \(loop.name): \(warning)")
        }
        logger.info("loop \(loop.name): \(currentStatus.summary)")
    }

    /// Stops the thread (within one period) or the fallback, and waits for it.
    public func stop() {
        lock.lock()
        let stoppingThread = thread
        let stoppingFallback = fallback
        thread = nil
        fallback = nil
        let lockedMemory = currentStatus.memoryLocked
        wakeupLatencyRequest?.release()
        wakeupLatencyRequest = nil
        lock.unlock()

        if let stoppingFallback {
            // The fallback attached the loop itself and releases it when it stops.
            stoppingFallback.stop()
            return
        }
        guard let stoppingThread else { return }
        running.store(false, ordering: .releasing)
        stoppingThread.join()
        if lockedMemory {
            RealtimeCalls.unlockAllMemory()
        }
        loop.publishFinalStatistics()
        loop.detach()
    }

    // MARK: - Private helpers

    /// Called with `lock` held: takes the PM QoS request the options ask for, or notes why not.
    private func holdWakeupLatencyRequest() {
        guard let microseconds = options.cpuWakeupLatencyMicroseconds else { return }
        do {
            wakeupLatencyRequest = try CPUWakeupLatencyRequest(microseconds: microseconds)
            currentStatus.cpuWakeupLatencyMicroseconds = microseconds
        } catch {
            currentStatus.cpuWakeupLatencyFailure = error.description
        }
    }

    /// Called with `lock` held and the loop attached: hands the loop to a Dispatch executor.
    private func startFallback(reason: String) throws(LoopExecutorError) {
        loop.detach()
        currentStatus.fallbackReason = reason
        currentStatus.fifoGranted = false
        let dispatch = DispatchLoopExecutor(loops: [loop])
        try dispatch.start()
        fallback = dispatch
        logger.warning(
            """
            loop \(loop.name): real-time refused (\(reason)); running on a Dispatch timer instead, with worse \
            latency. To get SCHED_FIFO, run as root or with CAP_SYS_NICE, or raise RLIMIT_RTPRIO \
            (ulimit -r 99; rtprio in /etc/security/limits.conf), and use a priority in 1...99.
            """)
    }

    /// The loop thread: set itself up, report, then tick until told to stop.
    private func runThread(startup: RealtimeThreadStartup) {
        RealtimeCalls.nameCurrentThread("stow-\(loop.name)")
        startup.timerSlackFailure = RealtimeCalls.setTimerSlack(nanoseconds: options.timerSlackNanoseconds)
        startup.timerSlackNanoseconds = RealtimeCalls.timerSlackNanoseconds()
        if let cpu = options.cpu {
            startup.affinityFailure = RealtimeCalls.pinCurrentThread(toCPU: cpu)
        }
        startup.cpus = RealtimeCalls.currentThreadCPUs()
        if let refusal = RealtimeCalls.setFIFOPriorityOfCurrentThread(options.priority) {
            startup.refusal = refusal
            startup.granted.signal()
            return
        }
        if options.lockMemory {
            startup.memoryLockFailure = RealtimeCalls.lockAllMemory()
            startup.memoryLocked = startup.memoryLockFailure == nil
        }
        startup.granted.signal()
        tickUntilStopped()
    }

    /// The steady state: sleep to the absolute deadline, run, record. No allocation, no lock.
    private func tickUntilStopped() {
        var deadlines = LoopDeadlines(start: MonotonicInstant.now(), periodNanoseconds: loop.periodNanoseconds)
        var index: UInt64 = 0
        while running.load(ordering: .acquiring) {
            let scheduled = deadlines.next
            RealtimeCalls.sleep(until: scheduled)
            let started = MonotonicInstant.now()
            let tick = loop.runBody(scheduled: scheduled, started: started, index: index)
            let ended = MonotonicInstant.now()
            loop.recordTick(
                tick, latenessNanoseconds: scheduled.nanoseconds(until: started),
                executionNanoseconds: started.nanoseconds(until: ended),
                endNanosecondsAfterScheduled: scheduled.nanoseconds(until: ended))
            loop.recordMissedCycles(deadlines.advance(afterTickEndingAt: ended))
            index += 1
        }
    }
}

/// What the loop thread found while setting itself up, handed to `start()` once.
/// Written by the thread before `granted.signal()`, read by `start()` after `granted.wait()`.
private final class RealtimeThreadStartup: @unchecked Sendable {
    let granted = DispatchSemaphore(value: 0)
    var refusal: RealtimeCallFailure?
    var memoryLocked = false
    var memoryLockFailure: RealtimeCallFailure?
    var affinityFailure: RealtimeCallFailure?
    var timerSlackFailure: RealtimeCallFailure?
    var timerSlackNanoseconds: Int?
    var cpus: [Int] = []

    func status(merging status: RealtimeExecutorStatus) -> RealtimeExecutorStatus {
        var merged = status
        merged.fifoGranted = refusal == nil
        merged.memoryLocked = memoryLocked
        merged.memoryLockFailure = memoryLockFailure?.description
        merged.affinityFailure = affinityFailure?.description
        merged.timerSlackFailure = timerSlackFailure?.description
        merged.timerSlackNanoseconds = timerSlackNanoseconds
        merged.threadCPUs = cpus
        return merged
    }
}
