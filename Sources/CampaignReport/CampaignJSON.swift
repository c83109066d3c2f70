import Control
import Foundation

/// A campaign's results as JSON, with sorted keys at every level so two runs diff line by line.
///
/// Top-level keys (documented in docs/campaigns.md): `attempts`, `success`, `unproductive`,
/// `amnesty`, `damage` (integer counts), `success_percent` ... `damage_percent`, `delta_pp`,
/// `uph`, `seed`, `campaign_id`, `world`, `config_file`, `resumed_from`, `simulated_seconds`,
/// `wall_seconds`, `virtual_to_wall_ratio` (null without wall time), `phase_seconds`, `retries`,
/// `exploration_count`, `exploration_percent`, `faults`, `causes`, `control_lateness`, `paper`.
public enum CampaignJSON {
    /// Pretty-printed JSON with sorted keys, ending in a newline.
    /// Throws only if Foundation cannot encode the document, which would be a bug here.
    public static func render(_ result: CampaignResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // A non-finite figure (a broken clock) must still give a readable file, not an error.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(Document(result))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The JSON document; property names are the keys.
    struct Document: Encodable {
        var attempts: Int
        var success: Int
        var unproductive: Int
        var amnesty: Int
        var damage: Int
        var success_percent: Double
        var unproductive_percent: Double
        var amnesty_percent: Double
        var damage_percent: Double
        /// Ours minus the paper's, percentage points, by outcome.
        var delta_pp: [String: Double]
        /// Successful stows per hour of simulated time.
        var uph: Double
        var seed: UInt64
        var campaign_id: String
        var world: String
        var config_file: String
        var resumed_from: Int
        var simulated_seconds: Double
        var wall_seconds: Double
        var virtual_to_wall_ratio: Double?
        var phase_seconds: [String: Double]
        var retries: Int
        var exploration_count: Int
        var exploration_percent: Double
        var faults: [String: Int]
        var causes: [String: Int]
        var control_lateness: [LatenessBucket]
        var paper: Paper

        struct LatenessBucket: Encodable {
            var upper_us: Double
            var count: Int
        }

        struct Paper: Encodable {
            var attempts: Int
            var success_percent: Double
            var unproductive_percent: Double
            var amnesty_percent: Double
            var damage_percent: Double
            var uph: Double
            var citation: String
        }

        init(_ result: CampaignResult) {
            let breakdown = CampaignBreakdown(result)
            attempts = result.attempts
            success = result.count(.success)
            unproductive = result.count(.unproductive)
            amnesty = result.count(.amnesty)
            damage = result.count(.damage)
            success_percent = Self.rounded(result.percent(.success))
            unproductive_percent = Self.rounded(result.percent(.unproductive))
            amnesty_percent = Self.rounded(result.percent(.amnesty))
            damage_percent = Self.rounded(result.percent(.damage))
            delta_pp = Dictionary(uniqueKeysWithValues: breakdown.outcomes.map {
                ($0.outcome.rawValue, Self.rounded($0.deltaPercentagePoints))
            })
            uph = Self.rounded(result.unitsPerHour)
            seed = result.seed
            campaign_id = result.campaignID
            world = result.world
            config_file = result.configFile
            resumed_from = result.resumedFrom
            simulated_seconds = result.simulatedSeconds
            wall_seconds = result.wallSeconds
            virtual_to_wall_ratio = breakdown.virtualToWallRatio.map { Self.rounded($0) }
            phase_seconds = result.phaseSeconds
            retries = result.retries
            exploration_count = result.explorationCount
            exploration_percent = Self.rounded(breakdown.explorationPercent)
            faults = result.faultsByKind
            causes = result.nonSuccessCauses
            control_lateness = breakdown.lateness.map {
                LatenessBucket(upper_us: $0.upperBoundMicroseconds, count: $0.count)
            }
            let share = PaperReference.sharePercent
            paper = Paper(
                attempts: PaperReference.attempts, success_percent: share[.success] ?? 0,
                unproductive_percent: share[.unproductive] ?? 0, amnesty_percent: share[.amnesty] ?? 0,
                damage_percent: share[.damage] ?? 0, uph: PaperReference.unitsPerHour,
                citation: PaperReference.citation
            )
        }

        /// Derived figures to 4 decimals: exact counts are beside them, and long tails of
        /// binary noise (86.12000000000001) only make diffs noisy.
        static func rounded(_ value: Double) -> Double {
            guard value.isFinite else { return value }
            return (value * 10_000).rounded() / 10_000
        }

        /// Written by hand only so that `virtual_to_wall_ratio` is `null` rather than missing.
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(success, forKey: .success)
            try container.encode(unproductive, forKey: .unproductive)
            try container.encode(amnesty, forKey: .amnesty)
            try container.encode(damage, forKey: .damage)
            try container.encode(success_percent, forKey: .success_percent)
            try container.encode(unproductive_percent, forKey: .unproductive_percent)
            try container.encode(amnesty_percent, forKey: .amnesty_percent)
            try container.encode(damage_percent, forKey: .damage_percent)
            try container.encode(delta_pp, forKey: .delta_pp)
            try container.encode(uph, forKey: .uph)
            try container.encode(seed, forKey: .seed)
            try container.encode(campaign_id, forKey: .campaign_id)
            try container.encode(world, forKey: .world)
            try container.encode(config_file, forKey: .config_file)
            try container.encode(resumed_from, forKey: .resumed_from)
            try container.encode(simulated_seconds, forKey: .simulated_seconds)
            try container.encode(wall_seconds, forKey: .wall_seconds)
            try container.encode(virtual_to_wall_ratio, forKey: .virtual_to_wall_ratio)
            try container.encode(phase_seconds, forKey: .phase_seconds)
            try container.encode(retries, forKey: .retries)
            try container.encode(exploration_count, forKey: .exploration_count)
            try container.encode(exploration_percent, forKey: .exploration_percent)
            try container.encode(faults, forKey: .faults)
            try container.encode(causes, forKey: .causes)
            try container.encode(control_lateness, forKey: .control_lateness)
            try container.encode(paper, forKey: .paper)
        }

        enum Key: String, CodingKey {
            case attempts, success, unproductive, amnesty, damage
            case success_percent, unproductive_percent, amnesty_percent, damage_percent, delta_pp
            case uph, seed, campaign_id, world, config_file, resumed_from
            case simulated_seconds, wall_seconds, virtual_to_wall_ratio, phase_seconds
            case retries, exploration_count, exploration_percent, faults, causes, control_lateness, paper
        }
    }
}
