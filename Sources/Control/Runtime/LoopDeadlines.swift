import HAL

/// The deadlines of one periodic loop, start + k × period, and the one rule every executor
/// uses for missed ones.
///
/// A tick runs for its deadline whenever the executor gets to it, and its lateness is measured
/// against that deadline (as cyclictest does). When it ends, the next deadline is one period
/// later; any deadline that a whole period already passed by without a tick starting is
/// skipped and counted as missed. So after a 12 ms stall of a 1 ms loop, the stalled tick
/// reports 12 ms of lateness, 11 deadlines are missed, and the loop is back on its grid.
struct LoopDeadlines {
    let periodNanoseconds: UInt64
    /// The deadline of the next tick to run.
    private(set) var next: MonotonicInstant

    /// The first deadline is one period after `start`.
    init(start: MonotonicInstant, periodNanoseconds: UInt64) {
        self.periodNanoseconds = periodNanoseconds
        self.next = start.adding(nanoseconds: periodNanoseconds)
    }

    /// After the tick for `next` ended at `end`: moves to the following deadline, skipping those
    /// a whole period has passed by. Returns how many it skipped (missed cycles).
    mutating func advance(afterTickEndingAt end: MonotonicInstant) -> UInt64 {
        next = next.adding(nanoseconds: periodNanoseconds)
        guard end > next else { return 0 }
        let missed = (end.nanoseconds - next.nanoseconds) / periodNanoseconds
        next = next.adding(nanoseconds: missed * periodNanoseconds)
        return missed
    }
}
