import HAL
import Synchronization

/// Steps loops against a `ManualClock`: the executor of simulated campaigns and of timing tests.
/// Deterministic: the same loops and bodies give the same ticks in the same order, every run.
///
/// Each step finds the loop whose next tick is due first (ties go to the loop declared first,
/// so a `sim-world` loop declared before `control` runs first at the same instant), advances
/// the clock to that instant, and runs the body. Each loop behaves as if it had its own thread:
/// a body that reports `virtualExecutionNanoseconds` keeps *its* loop busy that long (its next
/// tick waits, and it overruns when it ends after the next deadline) while the other loops keep
/// their times. The body's effects happen at its start instant. Wall-clock execution time is
/// still measured and recorded in the loop statistics (of loops that measure it,
/// `PeriodicLoop.measuresExecution`).
///
/// Paced mode sleeps so that virtual time tracks wall time (console sessions, soak tests);
/// unpaced runs as fast as the bodies allow.
///
/// Not thread-safe: one caller steps it. `requestStop()` may come from any thread. A step
/// neither allocates nor locks.
public final class VirtualTimeExecutor: @unchecked Sendable {
    /// How virtual time relates to wall time.
    public enum Pacing: Sendable, Equatable {
        /// As fast as the bodies run.
        case asFastAsPossible
        /// Virtual time moves at `rate` × wall time (1 = real time, 10 = ten times faster).
        case wallClock(rate: Double)
    }

    public let clock: ManualClock
    public let loops: [PeriodicLoop]
    public let pacing: Pacing

    private var schedules: [VirtualLoopSchedule]
    private let stopRequested = Atomic<Bool>(false)
    // Paced mode: the wall instant that matches `pacingVirtualStart`.
    private var pacingWallStart: MonotonicInstant?
    private var pacingVirtualStart = MonotonicInstant(nanoseconds: 0)
    private let maxPacingLag = Atomic<UInt64>(0)

    /// Paced mode: the most wall time a tick ever started behind its virtual instant (a slow body,
    /// such as rendering a camera frame, delays the ticks after it; virtual time does not slip,
    /// so this is how far the paced run fell behind a real one). Readable from any thread.
    public var maxPacingLagNanoseconds: UInt64 { maxPacingLag.load(ordering: .relaxed) }

    /// Claims the loops; each one's first tick is one period after the clock's current time.
    /// Throws when a loop already runs on another executor or two loops share a name.
    public init(clock: ManualClock, loops: [PeriodicLoop], pacing: Pacing = .asFastAsPossible) throws(LoopExecutorError) {
        var names: Set<String> = []
        for loop in loops where !names.insert(loop.name).inserted {
            throw LoopExecutorError("two loops are named \(loop.name); loop names must be unique")
        }
        var claimed: [PeriodicLoop] = []
        for loop in loops {
            guard loop.attach() else {
                for other in claimed { other.detach() }
                throw .alreadyRunning(loop)
            }
            claimed.append(loop)
        }
        self.clock = clock
        self.loops = loops
        self.pacing = pacing
        let start = clock.now()
        self.schedules = loops.map { VirtualLoopSchedule(start: start, periodNanoseconds: $0.periodNanoseconds) }
    }

    deinit {
        for loop in loops {
            loop.publishFinalStatistics()
            loop.detach()
        }
    }

    /// When the next tick will run, or nil with no loops.
    public var nextDueInstant: MonotonicInstant? {
        nextDue()?.instant
    }

    /// Runs the one tick due first (advancing the clock to it) and returns which loop ran and
    /// the tick as its body left it; nil with no loops.
    @discardableResult
    public func step() -> VirtualStep? {
        step(publishing: true)
    }

    /// Least virtual time between two statistics refreshes at the end of `run(until:)`; 0 (the
    /// default) refreshes on every call. Refreshing walks every loop's histograms (thousands of
    /// buckets): a campaign that runs 10 ms at a time spent three quarters of its wall time
    /// there, so it sets this to a second. `finish()` always refreshes.
    public var summaryRefreshIntervalNanoseconds: UInt64 = 0
    private var lastSummaryRefresh: MonotonicInstant?

    /// Runs every tick due up to and including `end`, then leaves the clock at `end`. Returns
    /// early (clock where it got to) when `requestStop()` is called. The loops' statistics are
    /// published when it returns, not after every tick (a snapshot copied into its cell every
    /// tick was about 3 % of a campaign's CPU), and their summaries refreshed then too (at most
    /// every `summaryRefreshIntervalNanoseconds`). `step()` publishes after its tick.
    public func run(until end: MonotonicInstant) {
        stopRequested.store(false, ordering: .relaxed)
        defer {
            let now = clock.now()
            if summaryRefreshIntervalNanoseconds == 0
                || lastSummaryRefresh.map({ $0.nanoseconds(until: now) >= summaryRefreshIntervalNanoseconds }) ?? true {
                lastSummaryRefresh = now
                refreshSummaries()
            } else {
                for loop in loops { loop.publishStatistics() }
            }
        }
        while !stopRequested.load(ordering: .relaxed) {
            guard let (index, due) = nextDue(), due <= end else {
                waitForWallClock(toMatch: end)
                clock.advance(to: end)
                return
            }
            runTick(loopIndex: index, dueAt: due, publishing: false)
        }
    }

    /// `run(until: clock.now() + nanoseconds)`.
    public func run(forNanoseconds nanoseconds: UInt64) {
        run(until: clock.now().adding(nanoseconds: nanoseconds))
    }

    /// Makes a running `run(until:)` return after its current tick. From any thread.
    public func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    /// Releases the loops so another executor may run them; the executor is unusable after.
    public func finish() {
        refreshSummaries()
        schedules = []
        for loop in loops {
            loop.detach()
        }
    }

    // MARK: - Private helpers

    private func refreshSummaries() {
        for loop in loops {
            loop.publishFinalStatistics()
        }
    }

    /// The loop due first (the earliest declared among equals) and when it is due.
    private func nextDue() -> (index: Int, instant: MonotonicInstant)? {
        // One read of the property, not one exclusivity-checked access per loop: this runs
        // before every tick of a campaign.
        let schedules = self.schedules
        var best: (index: Int, instant: MonotonicInstant)? = nil
        for index in schedules.indices {
            let due = schedules[index].dueInstant
            if let current = best, current.instant <= due {
                continue
            }
            best = (index, due)
        }
        return best
    }

    private func step(publishing: Bool) -> VirtualStep? {
        guard let (index, due) = nextDue() else { return nil }
        let tick = runTick(loopIndex: index, dueAt: due, publishing: publishing)
        return VirtualStep(loopIndex: index, loopName: loops[index].name, tick: tick)
    }

    /// Moves the clock to `due` (in paced mode, once the wall clock is there), runs the tick
    /// and returns it as the body left it.
    @discardableResult
    private func runTick(loopIndex: Int, dueAt due: MonotonicInstant, publishing: Bool) -> LoopTick {
        waitForWallClock(toMatch: due)
        clock.advance(to: due)
        let started = clock.now()
        let loop = loops[loopIndex]
        let schedule = schedules[loopIndex]
        let scheduled = schedule.deadlines.next
        let tickIndex = schedule.ticksRun

        let tick: LoopTick
        var wallExecution: UInt64 = 0
        if loop.measuresExecution {
            let wallStart = MonotonicInstant.now()
            tick = loop.runBody(scheduled: scheduled, started: started, index: tickIndex)
            wallExecution = wallStart.nanoseconds(until: MonotonicInstant.now())
        } else {
            tick = loop.runBody(scheduled: scheduled, started: started, index: tickIndex)
        }

        let virtualEnd = started.adding(nanoseconds: tick.virtualExecutionNanoseconds)
        loop.recordTick(
            tick, latenessNanoseconds: scheduled.nanoseconds(until: started), executionNanoseconds: wallExecution,
            endNanosecondsAfterScheduled: scheduled.nanoseconds(until: virtualEnd), publishing: publishing)
        loop.recordMissedCycles(schedules[loopIndex].finishTick(endingAt: virtualEnd))
        return tick
    }

    /// Paced mode: sleeps until the wall clock reaches the instant that matches `virtual`.
    private func waitForWallClock(toMatch virtual: MonotonicInstant) {
        guard case .wallClock(let rate) = pacing, rate > 0 else { return }
        guard let wallStart = pacingWallStart else {
            pacingWallStart = MonotonicInstant.now()
            pacingVirtualStart = clock.now()
            return waitForWallClock(toMatch: virtual)
        }
        let virtualElapsed = Double(pacingVirtualStart.nanoseconds(until: virtual))
        let wallTarget = wallStart.adding(nanoseconds: UInt64(virtualElapsed / rate))
        let lag = wallTarget.nanoseconds(until: MonotonicInstant.now())
        if lag > maxPacingLag.load(ordering: .relaxed) { maxPacingLag.store(lag, ordering: .relaxed) }
        RealtimeCalls.sleep(until: wallTarget)
    }
}

/// One tick run by `VirtualTimeExecutor.step()`.
public struct VirtualStep: Sendable {
    /// Position of the loop in the executor's `loops`.
    public var loopIndex: Int
    public var loopName: String
    public var tick: LoopTick
}

/// Where one loop stands in virtual time.
struct VirtualLoopSchedule {
    var deadlines: LoopDeadlines
    /// The loop's previous tick ends here (its start plus its virtual execution time).
    var busyUntil: MonotonicInstant
    var ticksRun: UInt64 = 0

    init(start: MonotonicInstant, periodNanoseconds: UInt64) {
        deadlines = LoopDeadlines(start: start, periodNanoseconds: periodNanoseconds)
        busyUntil = start
    }

    /// The next tick starts at its deadline, or when the previous tick ends if that is later.
    var dueInstant: MonotonicInstant {
        max(deadlines.next, busyUntil)
    }

    /// Returns the deadlines missed while the tick ran.
    mutating func finishTick(endingAt end: MonotonicInstant) -> UInt64 {
        ticksRun += 1
        busyUntil = end
        return deadlines.advance(afterTickEndingAt: end)
    }
}
