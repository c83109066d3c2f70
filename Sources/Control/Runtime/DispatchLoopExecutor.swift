import Dispatch
import Foundation
import HAL

/// Runs each loop on a DispatchSourceTimer on the loop's own serial queue: perception, bus
/// polling, console, telemetry, and the control loop when real-time is refused.
///
/// The timer has zero leeway. When ticks fall behind, Dispatch coalesces the fires and says
/// how many in the timer's `data`; every fire beyond the one being handled is counted as a
/// missed cycle, never hidden. Measured on our VMs: p99 wake-up lateness about 1.4-1.75x that
/// of cyclictest (docs/control-runtime.md).
public final class DispatchLoopExecutor: LoopExecutor, @unchecked Sendable {
    public let loops: [PeriodicLoop]
    public var executorDescription: String { "dispatch" }

    private let qos: DispatchQoS
    // Guarded by `lock`: start and stop only, never a tick.
    private let lock = NSLock()
    private var runners: [DispatchLoopRunner] = []

    public init(loops: [PeriodicLoop], qos: DispatchQoS = .userInteractive) {
        self.loops = loops
        self.qos = qos
    }

    deinit {
        for runner in runners {
            runner.cancel()
        }
    }

    /// Starts a timer per loop; the first tick of each is one period from now. Does nothing if
    /// already started.
    public func start() throws(LoopExecutorError) {
        lock.lock()
        defer { lock.unlock() }
        guard runners.isEmpty else { return }
        var claimed: [PeriodicLoop] = []
        for loop in loops {
            guard loop.attach() else {
                for other in claimed { other.detach() }
                throw .alreadyRunning(loop)
            }
            claimed.append(loop)
        }
        runners = loops.map { DispatchLoopRunner(loop: $0, qos: qos) }
        for runner in runners {
            runner.start()
        }
    }

    /// Cancels the timers and waits for ticks in progress to end. Not on a loop's own queue.
    public func stop() {
        lock.lock()
        let stopping = runners
        runners = []
        lock.unlock()
        for runner in stopping {
            runner.cancel()
        }
        for runner in stopping {
            runner.waitUntilIdle()
            runner.loop.publishFinalStatistics()
            runner.loop.detach()
        }
    }
}

/// One loop's timer, queue and tick bookkeeping. The bookkeeping is touched only on `queue`.
final class DispatchLoopRunner: @unchecked Sendable {
    let loop: PeriodicLoop
    private let queue: DispatchQueue
    private var timer: DispatchSourceTimer?
    private var firstDeadline = MonotonicInstant(nanoseconds: 0)
    private var firesSeen: UInt64 = 0
    private var tickIndex: UInt64 = 0

    init(loop: PeriodicLoop, qos: DispatchQoS) {
        self.loop = loop
        self.queue = DispatchQueue(label: "stow.loop.\(loop.name)", qos: qos)
    }

    func start() {
        let timer = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
        // Dispatch's uptime clock on Linux is CLOCK_MONOTONIC, the clock MonotonicInstant reads,
        // so our deadlines and the timer's are the same instants.
        let first = MonotonicInstant.now().adding(nanoseconds: loop.periodNanoseconds)
        queue.sync { firstDeadline = first }
        timer.schedule(
            deadline: DispatchTime(uptimeNanoseconds: first.nanoseconds),
            repeating: .nanoseconds(Int(loop.periodNanoseconds)), leeway: .nanoseconds(0))
        timer.setEventHandler { [unowned self] in
            self.handleFire()
        }
        self.timer = timer
        timer.resume()
    }

    func cancel() {
        timer?.cancel()
    }

    /// Returns once the handler in progress (if any) has ended.
    func waitUntilIdle() {
        queue.sync {}
    }

    // MARK: - Private helpers

    /// One timer event, on `queue`: the tick for the newest fire; older coalesced fires missed.
    private func handleFire() {
        guard let timer else { return }
        let fires = UInt64(max(timer.data, 1))
        firesSeen += fires
        loop.recordMissedCycles(fires - 1)
        let scheduled = firstDeadline.adding(nanoseconds: (firesSeen - 1) * loop.periodNanoseconds)

        let started = MonotonicInstant.now()
        let tick = loop.runBody(scheduled: scheduled, started: started, index: tickIndex)
        let ended = MonotonicInstant.now()
        loop.recordTick(
            tick, latenessNanoseconds: scheduled.nanoseconds(until: started),
            executionNanoseconds: started.nanoseconds(until: ended),
            endNanosecondsAfterScheduled: scheduled.nanoseconds(until: ended))
        tickIndex += 1
    }
}
