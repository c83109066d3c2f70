/// What a loop does when a tick does not finish before the next one is due.
///
/// Every overrun is counted either way (`LoopStatisticsSnapshot.overruns`); the policy says
/// whether a run of them becomes a fault.
public enum OverrunPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Count it and carry on: perception, console, telemetry.
    case skip
    /// Latch a `LoopOverrunFault` after this many overruns in a row: the control loop. The loop
    /// keeps running; the safety supervisor reads the fault and decides.
    case faultAfterConsecutive(Int)

    public var description: String {
        switch self {
        case .skip:
            return "skip"
        case .faultAfterConsecutive(let count):
            return "fault after \(count) consecutive overruns"
        }
    }
}

/// A loop that overran its period too many times in a row. Latched: it stays set until
/// `PeriodicLoop.resetOverrunFault()`, even when the loop is back on time.
public struct LoopOverrunFault: Error, Equatable, Sendable, CustomStringConvertible {
    /// The loop's name (`control`).
    public var loopName: String
    public var periodNanoseconds: UInt64
    /// Overruns in a row when the fault latched.
    public var consecutiveOverruns: Int
    /// How long the tick that latched it took from its deadline to its end, in ns.
    public var lastTickNanoseconds: UInt64
    /// Tick index that latched it.
    public var tickIndex: UInt64

    public init(
        loopName: String, periodNanoseconds: UInt64, consecutiveOverruns: Int, lastTickNanoseconds: UInt64,
        tickIndex: UInt64
    ) {
        self.loopName = loopName
        self.periodNanoseconds = periodNanoseconds
        self.consecutiveOverruns = consecutiveOverruns
        self.lastTickNanoseconds = lastTickNanoseconds
        self.tickIndex = tickIndex
    }

    /// `loop control: 3 overruns in a row of its 1.000 ms period (last tick ended 2.300 ms after
    /// its deadline); ...`
    public var description: String {
        let periodMilliseconds = Double(periodNanoseconds) / 1e6
        let lastMilliseconds = Double(lastTickNanoseconds) / 1e6
        return "loop \(loopName): \(consecutiveOverruns) overruns in a row of its "
            + "\(Self.milliseconds(periodMilliseconds)) ms period (last tick ended "
            + "\(Self.milliseconds(lastMilliseconds)) ms after it was due); lighten the loop's body, "
            + "lengthen its period, or check `stowctl latency-test` for a loaded or non-real-time machine"
    }

    private static func milliseconds(_ value: Double) -> String {
        let thousandths = (value * 1000).rounded()
        let whole = Int(thousandths / 1000)
        let fraction = Int(thousandths) - whole * 1000
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(whole).\(padded)"
    }
}
