import HAL

/// What a loop body learns about the tick it is running: when it was due, when it actually
/// started, and which tick it is. A small value, handed to the body `inout` so a simulated
/// body can say how long it "took" in virtual time.
public struct LoopTick: Sendable {
    /// When this tick was due: the loop's start plus a whole number of periods.
    public let scheduled: MonotonicInstant
    /// When the executor started the body (on the executor's clock).
    public let started: MonotonicInstant
    /// 0 for the first tick; counts ticks run, not deadlines (missed deadlines are skipped).
    public let index: UInt64

    /// Virtual time the body consumed, for the virtual-time executor: a simulated slow tick sets
    /// this, and it counts as an overrun when lateness plus this exceeds the period. Wall-clock
    /// executors ignore it (they measure the real time).
    public var virtualExecutionNanoseconds: UInt64 = 0

    public init(scheduled: MonotonicInstant, started: MonotonicInstant, index: UInt64) {
        self.scheduled = scheduled
        self.started = started
        self.index = index
    }

    /// How late the body started: `started - scheduled`, zero if early.
    public var latenessNanoseconds: UInt64 {
        scheduled.nanoseconds(until: started)
    }
}
