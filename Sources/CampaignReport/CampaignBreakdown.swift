import Config
import Control

/// The figures every view of a campaign shows, derived once from a `CampaignResult` so that the
/// terminal table, the JSON and the HTML report can never disagree.
public struct CampaignBreakdown: Sendable {
    /// One outcome in the paper's terms, ours beside the published share.
    public struct OutcomeRow: Sendable {
        public var outcome: StowOutcome
        public var count: Int
        public var percent: Double
        public var paperPercent: Double
        /// Ours minus the paper's, in percentage points.
        public var deltaPercentagePoints: Double
    }

    /// Simulated time spent in one phase over all attempts.
    public struct PhaseRow: Sendable {
        /// A `StowPhase` raw value (`grasp`, `make_space`, ...), or whatever name the runner used.
        public var phase: String
        public var totalSeconds: Double
        public var meanSecondsPerAttempt: Double
        /// Share of the time spent in all phases together.
        public var sharePercent: Double
    }

    /// A named count (a fault kind, a cause), with its share of all attempts.
    public struct CountRow: Sendable {
        public var name: String
        public var count: Int
        public var percentOfAttempts: Double
    }

    /// One bucket of the control-loop lateness histogram.
    public struct LatenessBucket: Sendable {
        public var upperBoundMicroseconds: Double
        public var count: Int
    }

    public let outcomes: [OutcomeRow]
    /// In the order of the stow cycle (`StowPhase.allCases`), then any other names alphabetically.
    public let phases: [PhaseRow]
    public let totalPhaseSeconds: Double
    /// Most frequent first; ties by name.
    public let faults: [CountRow]
    /// Most frequent first; ties by name.
    public let causes: [CountRow]
    public let nonSuccessCount: Int
    public let explorationPercent: Double
    public let retriesPerAttempt: Double
    /// Simulated seconds per wall-clock second; nil when no wall time was measured.
    public let virtualToWallRatio: Double?
    /// The lateness buckets in the order given. When the bounds and counts arrays differ in
    /// length, only the pairs present in both are kept.
    public let lateness: [LatenessBucket]

    public init(_ result: CampaignResult) {
        outcomes = StowOutcome.allCases.map { outcome in
            let percent = result.percent(outcome)
            let paper = PaperReference.sharePercent[outcome] ?? 0
            return OutcomeRow(
                outcome: outcome, count: result.count(outcome), percent: percent, paperPercent: paper,
                deltaPercentagePoints: percent - paper
            )
        }

        let total = result.phaseSeconds.values.reduce(0, +)
        totalPhaseSeconds = total
        phases = Self.phaseNamesInCycleOrder(Array(result.phaseSeconds.keys)).map { name in
            let seconds = result.phaseSeconds[name] ?? 0
            return PhaseRow(
                phase: name, totalSeconds: seconds,
                meanSecondsPerAttempt: result.attempts > 0 ? seconds / Double(result.attempts) : 0,
                sharePercent: total > 0 ? 100 * seconds / total : 0
            )
        }

        faults = Self.countRows(result.faultsByKind, attempts: result.attempts)
        causes = Self.countRows(result.nonSuccessCauses, attempts: result.attempts)
        nonSuccessCount = result.attempts - result.count(.success)
        explorationPercent = result.attempts > 0 ? 100 * Double(result.explorationCount) / Double(result.attempts) : 0
        retriesPerAttempt = result.attempts > 0 ? Double(result.retries) / Double(result.attempts) : 0
        virtualToWallRatio = result.wallSeconds > 0 ? result.simulatedSeconds / result.wallSeconds : nil
        lateness = zip(result.controlLatenessBucketsMicroseconds, result.controlLatenessCounts).map {
            LatenessBucket(upperBoundMicroseconds: $0, count: $1)
        }
    }

    /// Known phases in the order a stow goes through them; unknown names after, alphabetically.
    static func phaseNamesInCycleOrder(_ names: [String]) -> [String] {
        let cycleOrder = StowPhase.allCases.map(\.rawValue)
        let known = cycleOrder.filter { names.contains($0) }
        let others = names.filter { !cycleOrder.contains($0) }.sorted()
        return known + others
    }

    private static func countRows(_ counts: [String: Int], attempts: Int) -> [CountRow] {
        counts
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { name, count in
                CountRow(
                    name: name, count: count,
                    percentOfAttempts: attempts > 0 ? 100 * Double(count) / Double(attempts) : 0
                )
            }
    }
}
