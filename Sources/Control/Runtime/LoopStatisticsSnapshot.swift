/// Percentiles of one kind of duration (wake-up lateness or execution time), in ns.
///
/// Minimum, maximum and mean are exact; the percentiles come from an HdrHistogram with two
/// significant digits, so they are within 1 % of the true value.
public struct DurationSummary: Sendable, Equatable, Codable {
    public var samples: UInt64 = 0
    public var minNanoseconds: UInt64 = 0
    public var meanNanoseconds: Double = 0
    public var p50Nanoseconds: UInt64 = 0
    public var p99Nanoseconds: UInt64 = 0
    public var p999Nanoseconds: UInt64 = 0
    public var maxNanoseconds: UInt64 = 0

    public init() {}
}

/// What a loop has done since it started or was last reset: the LinuxCNC `.time` / `.tmax`
/// idea, plus histograms. A plain value; readers get it without ever blocking the loop.
public struct LoopStatisticsSnapshot: Sendable, Equatable, Codable {
    public var loopName: String
    public var periodNanoseconds: UInt64
    /// False for a loop that does not measure its execution (`PeriodicLoop.measuresExecution`):
    /// its execution figures stay 0 and mean "not measured".
    public var measuresExecution: Bool

    /// Ticks run.
    public var ticks: UInt64 = 0
    /// Deadlines at which no tick started, because the loop was still busy or was woken more
    /// than a whole period late (the Dispatch executor reads these from the timer's data).
    public var missedCycles: UInt64 = 0
    /// Ticks that ended after the next tick was due.
    public var overruns: UInt64 = 0
    /// Overruns in a row up to the latest tick; 0 once a tick ends in time.
    public var consecutiveOverruns: UInt64 = 0

    /// How late the latest tick started, in ns.
    public var lastLatenessNanoseconds: UInt64 = 0
    /// How long the latest body ran (wall clock), in ns.
    public var lastExecutionNanoseconds: UInt64 = 0
    /// The longest body so far (wall clock), in ns: LinuxCNC's `tmax`.
    public var worstExecutionNanoseconds: UInt64 = 0
    /// True when the latest tick set a new `worstExecutionNanoseconds`.
    public var worstExecutionIncreased: Bool = false
    /// How many ticks have set a new worst; a reader that remembers it sees every increase,
    /// even those between two looks.
    public var worstExecutionIncreases: UInt64 = 0

    /// Wake-up lateness (start minus deadline) over all ticks, as of `summariesAsOfTick`.
    public var lateness = DurationSummary()
    /// Body execution time (wall clock) over all ticks, as of `summariesAsOfTick`.
    public var execution = DurationSummary()
    /// The summaries cost a walk over the histograms, so the loop refreshes them only when a
    /// reader has asked (`PeriodicLoop.statisticsSnapshot()` asks) and when its executor stops.
    /// The counters above are current as of the latest tick.
    public var summariesAsOfTick: UInt64 = 0

    public init(loopName: String, periodNanoseconds: UInt64, measuresExecution: Bool = true) {
        self.loopName = loopName
        self.periodNanoseconds = periodNanoseconds
        self.measuresExecution = measuresExecution
    }
}
