import Control
import Foundation
import Testing

@testable import CampaignReport

@Suite struct CampaignJSONTests {
    @Test("has the issue's keys: outcome counts as integers, uph as a number, the seed")
    func requiredKeys() throws {
        let object = try parse(.sample())
        #expect(object["attempts"] as? Int == 10_000)
        #expect(object["success"] as? Int == 8_612)
        #expect(object["unproductive"] as? Int == 921)
        #expect(object["amnesty"] as? Int == 372)
        #expect(object["damage"] as? Int == 95)
        #expect(object["seed"] as? Int == 42)
        let uph = try #require(object["uph"] as? Double)
        #expect(abs(uph - 221.4514) < 0.0001)
    }

    @Test("has percentages, differences, the paper's figures and the campaign's identity")
    func figuresAndPaper() throws {
        let object = try parse(.sample())
        #expect(object["success_percent"] as? Double == 86.12)
        #expect(object["damage_percent"] as? Double == 0.95)
        let delta = try #require(object["delta_pp"] as? [String: Double])
        #expect(abs(delta["success"]! - 0.22) < 1e-9)
        let paper = try #require(object["paper"] as? [String: Any])
        #expect(paper["attempts"] as? Int == 100_000)
        #expect(paper["success_percent"] as? Double == 85.9)
        #expect(paper["unproductive_percent"] as? Double == 9.3)
        #expect(paper["amnesty_percent"] as? Double == 3.7)
        #expect(paper["damage_percent"] as? Double == 0.2)
        #expect(paper["uph"] as? Double == 224)
        #expect(object["campaign_id"] as? String == "sim-2026-01-seed42")
        #expect(object["world"] as? String == "paper-2025")
        #expect(object["config_file"] as? String == "firmware-config/sim.yaml")
        #expect(object["resumed_from"] as? Int == 4_000)
        #expect(object["simulated_seconds"] as? Double == 140_000)
        #expect(object["wall_seconds"] as? Double == 40)
        #expect(object["virtual_to_wall_ratio"] as? Double == 3_500)
    }

    @Test("has phase seconds, retries, exploration, faults, causes and the lateness histogram")
    func breakdowns() throws {
        let object = try parse(.sample())
        let phases = try #require(object["phase_seconds"] as? [String: Double])
        #expect(phases["insert"] == 30_000)
        #expect(object["retries"] as? Int == 1_234)
        #expect(object["exploration_count"] as? Int == 456)
        #expect(object["exploration_percent"] as? Double == 4.56)
        #expect((object["faults"] as? [String: Int]) == ["estop": 2, "drive-comm": 7])
        let causes = try #require(object["causes"] as? [String: Int])
        #expect(causes["no bin fits 180 mm"] == 500)
        #expect(causes.count == 5)
        let lateness = try #require(object["control_lateness"] as? [[String: Any]])
        #expect(lateness.count == 7)
        #expect(lateness[0]["upper_us"] as? Double == 10)
        #expect(lateness[0]["count"] as? Int == 9_000_000)
    }

    @Test("keys are sorted at every level, so runs diff line by line")
    func sortedKeys() throws {
        let text = try CampaignJSON.render(.sample())
        let topLevelKeys = text.split(separator: "\n")
            .filter { $0.hasPrefix("  \"") }
            .map { $0.dropFirst(3).prefix { $0 != "\"" } }
        #expect(topLevelKeys.count == 27)
        #expect(topLevelKeys == topLevelKeys.sorted())
        #expect(try CampaignJSON.render(.sample()) == text)
        #expect(text.hasSuffix("}\n"))
    }

    @Test("the ratio is null, not missing, when no wall time was measured")
    func nullRatio() throws {
        let text = try CampaignJSON.render(.sample { $0.wallSeconds = 0 })
        #expect(text.contains("\"virtual_to_wall_ratio\" : null"))
    }

    private func parse(_ result: CampaignResult) throws -> [String: Any] {
        let text = try CampaignJSON.render(result)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
