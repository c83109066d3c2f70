/// The figures of one campaign, for the outcome table, JSON and the HTML report.
public struct CampaignResult: Codable, Sendable {
    public var campaignID: String
    public var seed: UInt64
    /// `default` or `paper-2025`.
    public var world: String
    public var configFile: String
    public var attempts: Int
    public var counts: [StowOutcome: Int]
    /// Simulated time the campaign took, and the wall time it took to simulate.
    public var simulatedSeconds: Double
    public var wallSeconds: Double
    /// Total simulated seconds spent in each phase (`StowPhase` raw values), over all attempts.
    public var phaseSeconds: [String: Double]
    public var retries: Int
    public var explorationCount: Int
    /// Latched safety faults by kind (`estop`, `drive-comm`, ...).
    public var faultsByKind: [String: Int]
    /// Every cause of a non-success, with how often it happened.
    public var nonSuccessCauses: [String: Int]
    /// Control-loop wake-up lateness histogram: upper bound of each bucket in µs, and counts.
    public var controlLatenessBucketsMicroseconds: [Double]
    public var controlLatenessCounts: [Int]
    /// Attempts found in the journal for this campaign before this run started (resumed).
    public var resumedFrom: Int

    public init(
        campaignID: String, seed: UInt64, world: String, configFile: String, attempts: Int, counts: [StowOutcome: Int],
        simulatedSeconds: Double, wallSeconds: Double, phaseSeconds: [String: Double], retries: Int, explorationCount: Int,
        faultsByKind: [String: Int], nonSuccessCauses: [String: Int], controlLatenessBucketsMicroseconds: [Double],
        controlLatenessCounts: [Int], resumedFrom: Int
    ) {
        self.campaignID = campaignID
        self.seed = seed
        self.world = world
        self.configFile = configFile
        self.attempts = attempts
        self.counts = counts
        self.simulatedSeconds = simulatedSeconds
        self.wallSeconds = wallSeconds
        self.phaseSeconds = phaseSeconds
        self.retries = retries
        self.explorationCount = explorationCount
        self.faultsByKind = faultsByKind
        self.nonSuccessCauses = nonSuccessCauses
        self.controlLatenessBucketsMicroseconds = controlLatenessBucketsMicroseconds
        self.controlLatenessCounts = controlLatenessCounts
        self.resumedFrom = resumedFrom
    }

    public func count(_ outcome: StowOutcome) -> Int { counts[outcome] ?? 0 }

    public func percent(_ outcome: StowOutcome) -> Double {
        attempts == 0 ? 0 : 100 * Double(count(outcome)) / Double(attempts)
    }

    /// Successful stows per hour of simulated time.
    public var unitsPerHour: Double {
        simulatedSeconds > 0 ? Double(count(.success)) / (simulatedSeconds / 3600) : 0
    }
}
