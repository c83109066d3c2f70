import HAL
import Synchronization

/// One periodic loop, declared once and run by any executor: Dispatch, real-time thread, or
/// virtual time.
///
/// ```swift
/// let control = try PeriodicLoop(
///     name: "control", periodNanoseconds: 1_000_000, overrunPolicy: .faultAfterConsecutive(3)
/// ) { tick in
///     controller.step(at: tick.scheduled)
/// }
/// ```
///
/// The loop owns its statistics and its overrun fault. The executor running it is the only
/// writer; anyone may read `statisticsSnapshot()` and `overrunFault` at any time without
/// blocking the loop. A loop runs on one executor at a time.
public final class PeriodicLoop: @unchecked Sendable {
    /// `control`, `bus0`, `perception`: used in faults, logs and the console.
    public let name: String
    public let periodNanoseconds: UInt64
    public let overrunPolicy: OverrunPolicy
    /// False for a loop that is not the controller's own work (the simulator's world step): its
    /// statistics then count ticks, lateness and overruns but hold no execution times, and the
    /// virtual-time executor reads no clock around its body (two `clock_gettime` per simulated
    /// millisecond: the clock was 5.6 % of a campaign's CPU, 3.3 % without them).
    public let measuresExecution: Bool

    private let body: @Sendable (inout LoopTick) -> Void

    // Touched only by the thread running the loop.
    private var recorder: LoopStatisticsRecorder

    // Shared with readers, lock-free.
    private let snapshotCell: LatestValue<LoopStatisticsSnapshot>
    /// The latched overrun fault; the control loop watches it (`ControlLoop.watch`).
    public let overrunLatch = LoopOverrunLatch()
    private let resetRequested = Atomic<Bool>(false)
    private let summariesRequested = Atomic<Bool>(false)
    private let attached = Atomic<Bool>(false)

    /// Throws `LoopDeclarationError` for an empty name, a zero period, or a fault threshold
    /// below 1.
    public init(
        name: String, periodNanoseconds: UInt64, overrunPolicy: OverrunPolicy = .skip, measuresExecution: Bool = true,
        body: @escaping @Sendable (inout LoopTick) -> Void
    ) throws(LoopDeclarationError) {
        guard !name.isEmpty else {
            throw LoopDeclarationError("a loop needs a name (it appears in faults, logs and the console)")
        }
        guard periodNanoseconds > 0 else {
            throw LoopDeclarationError("loop \(name): period must be positive, got 0 ns")
        }
        if case .faultAfterConsecutive(let count) = overrunPolicy, count < 1 {
            throw LoopDeclarationError(
                "loop \(name): fault after \(count) consecutive overruns must be at least 1 (or use .skip)")
        }
        self.name = name
        self.periodNanoseconds = periodNanoseconds
        self.overrunPolicy = overrunPolicy
        self.measuresExecution = measuresExecution
        self.body = body
        self.recorder = LoopStatisticsRecorder(loopName: name, periodNanoseconds: periodNanoseconds, measuresExecution: measuresExecution)
        self.snapshotCell = LatestValue(recorder.snapshot)
    }

    /// A loop at `rateHz` ticks per second: the period is `1 / rateHz`, rounded to whole ns.
    public convenience init(
        name: String, rateHz: Double, overrunPolicy: OverrunPolicy = .skip,
        body: @escaping @Sendable (inout LoopTick) -> Void
    ) throws(LoopDeclarationError) {
        guard rateHz > 0, rateHz.isFinite, rateHz <= 1e9 else {
            throw LoopDeclarationError("loop \(name): rate must be between 0 and 1e9 Hz, got \(rateHz)")
        }
        try self.init(
            name: name, periodNanoseconds: UInt64((1e9 / rateHz).rounded()), overrunPolicy: overrunPolicy, body: body)
    }

    /// The latched overrun fault, or nil. Never blocks; the safety supervisor reads this.
    public var overrunFault: LoopOverrunFault? {
        overrunLatch.fault
    }

    /// Clears a latched overrun fault: the supervisor's explicit reset. If the loop is still
    /// overrunning, the fault latches again at its next overrun.
    public func resetOverrunFault() {
        overrunLatch.clear()
    }

    /// The newest statistics. Never blocks. The counters are as of the latest tick; the
    /// percentile summaries as of `summariesAsOfTick`. Each call asks the loop to refresh the
    /// summaries at its next tick, so a reader that polls (the console) sees them move.
    public func statisticsSnapshot() -> LoopStatisticsSnapshot {
        summariesRequested.store(true, ordering: .relaxed)
        return snapshotCell.read()
    }

    /// Zeroes the statistics (and the histograms) at the loop's next tick. The overrun fault is
    /// not touched: that takes `resetOverrunFault()`.
    public func resetStatistics() {
        resetRequested.store(true, ordering: .releasing)
    }

    // MARK: - For executors

    /// Claims the loop for one executor. False when another executor already runs it.
    func attach() -> Bool {
        attached.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Releases the loop after its executor stopped (or never started it).
    func detach() {
        attached.store(false, ordering: .releasing)
    }

    /// Refreshes the summaries and publishes them: executors call this when they stop, so the
    /// figures read after a run are complete. Only from the thread that runs the loop, or once
    /// it is stopped.
    func publishFinalStatistics() {
        recorder.refreshSummaries()
        snapshotCell.publish(recorder.snapshot)
    }

    /// Runs the body for one tick and returns the tick as the body left it.
    func runBody(scheduled: MonotonicInstant, started: MonotonicInstant, index: UInt64) -> LoopTick {
        var tick = LoopTick(scheduled: scheduled, started: started, index: index)
        body(&tick)
        return tick
    }

    /// Deadlines that passed without a tick (counted into the next published snapshot).
    func recordMissedCycles(_ count: UInt64) {
        guard count > 0 else { return }
        applyPendingReset()
        recorder.recordMissedCycles(count)
    }

    /// Records a finished tick, latches the overrun fault when the policy says so, and
    /// publishes the statistics unless `publishing` is false (the virtual-time executor
    /// publishes once per `run(until:)` instead, `publishStatistics()`).
    /// `endNanosecondsAfterScheduled`: from the tick's deadline to the end of its body; more
    /// than one period is an overrun.
    func recordTick(
        _ tick: LoopTick, latenessNanoseconds: UInt64, executionNanoseconds: UInt64, endNanosecondsAfterScheduled: UInt64,
        publishing: Bool = true
    ) {
        applyPendingReset()
        let overran = endNanosecondsAfterScheduled > periodNanoseconds
        recorder.recordTick(
            latenessNanoseconds: latenessNanoseconds, executionNanoseconds: executionNanoseconds, overran: overran)

        if overran, case .faultAfterConsecutive(let limit) = overrunPolicy,
            recorder.snapshot.consecutiveOverruns >= UInt64(limit), !overrunLatch.isLatched
        {
            overrunLatch.latch(
                LoopOverrunFault(
                    loopName: name, periodNanoseconds: periodNanoseconds,
                    consecutiveOverruns: Int(recorder.snapshot.consecutiveOverruns),
                    lastTickNanoseconds: endNanosecondsAfterScheduled, tickIndex: tick.index))
        }

        if summariesRequested.exchange(false, ordering: .relaxed) {
            recorder.refreshSummaries()
        }
        if publishing {
            snapshotCell.publish(recorder.snapshot)
        }
    }

    /// Publishes the statistics as of the latest tick (after ticks recorded without publishing).
    func publishStatistics() {
        snapshotCell.publish(recorder.snapshot)
    }

    // MARK: - Private helpers

    private func applyPendingReset() {
        if resetRequested.exchange(false, ordering: .acquiring) {
            recorder.reset()
        }
    }
}

/// A loop declared with values that cannot run. The message says which and what to use.
public struct LoopDeclarationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
