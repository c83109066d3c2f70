/// One phase of one attempt as the journal keeps it. Times are on the controller's monotonic
/// clock (virtual time in a simulated campaign), in nanoseconds.
public struct PhaseRecord: Codable, Sendable, Equatable {
    /// `grasp`, `make_space`, ... (`StowPhase` raw values).
    public var phase: String
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    /// `ok`, or why the phase ended otherwise (`timeout`, `jam: belt current 1700 mA > 1600 mA`).
    public var result: String

    public init(phase: String, startNanoseconds: UInt64, endNanoseconds: UInt64, result: String) {
        self.phase = phase
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.result = result
    }
}

/// Everything the journal keeps about one stow attempt (one item, possibly several bins).
public struct StowAttemptRecord: Codable, Sendable, Equatable {
    /// Groups the attempts of one campaign or one service run; a rerun with the same id resumes.
    public var campaignID: String
    /// 0, 1, 2, ... within the campaign.
    public var attemptIndex: Int
    public var itemID: String
    public var itemKind: String
    /// The bin of the last try; nil when no bin was tried.
    public var binName: String?
    /// Every bin tried, in order.
    public var binsTried: [String]
    public var outcome: StowOutcome
    /// Why, for every outcome but success (`no bin fits 180 mm`, `item fell out: ...`).
    public var cause: String
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    public var phases: [PhaseRecord]
    /// Bins tried after the first.
    public var retries: Int
    /// The attempt relaxed margins or tried an alternative behaviour.
    public var exploration: Bool
    /// Safety faults latched during the attempt, as printed (`estop eoat.estop: ...`).
    public var faults: [String]

    public init(
        campaignID: String, attemptIndex: Int, itemID: String, itemKind: String, binName: String?, binsTried: [String],
        outcome: StowOutcome, cause: String, startNanoseconds: UInt64, endNanoseconds: UInt64, phases: [PhaseRecord],
        retries: Int, exploration: Bool, faults: [String]
    ) {
        self.campaignID = campaignID
        self.attemptIndex = attemptIndex
        self.itemID = itemID
        self.itemKind = itemKind
        self.binName = binName
        self.binsTried = binsTried
        self.outcome = outcome
        self.cause = cause
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.phases = phases
        self.retries = retries
        self.exploration = exploration
        self.faults = faults
    }
}
