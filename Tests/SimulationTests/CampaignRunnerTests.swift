import Config
import Control
import Testing
@testable import Simulation

/// Campaigns: deterministic for a seed, every attempt journaled before the next, resumable.
@Suite("Campaign runner")
struct CampaignRunnerTests {
    /// Keeps records in memory: the SQLite journal has its own specs (JournalTests).
    final class MemoryJournal: StowJournaling {
        var records: [StowAttemptRecord] = []
        func record(_ attempt: StowAttemptRecord) throws { records.append(attempt) }
        func completedAttempts(campaignID: String) throws -> Int { records.count }
    }

    static func campaign(seed: UInt64, stows: Int, journal: MemoryJournal? = nil, resumeFrom: Int = 0) throws -> CampaignResult {
        var config = try RobotConfig.load(path: SimulatedRobotTests.repositoryRoot + "/firmware-config/sim.yaml")
        config.sim?.seed = seed
        let robot = try SimulatedRobot(config: config, campaignID: "test-\(seed)")
        return try CampaignRunner(robot: robot, configFile: "sim.yaml",
                                  options: .init(stows: stows, journal: journal, resumeFrom: resumeFrom)).run()
    }

    @Test("the same seed gives the same campaign; every attempt is journaled with its phases")
    func deterministicAndJournaled() throws {
        let journal = MemoryJournal()
        let first = try Self.campaign(seed: 3, stows: 4, journal: journal)
        let second = try Self.campaign(seed: 3, stows: 4)
        #expect(first.attempts == 4)
        #expect(first.counts == second.counts)
        #expect(first.nonSuccessCauses == second.nonSuccessCauses)
        #expect(first.simulatedSeconds == second.simulatedSeconds)
        #expect(journal.records.map(\.attemptIndex) == [0, 1, 2, 3])
        #expect(journal.records.allSatisfy { !$0.phases.isEmpty })
    }

    @Test("a resumed campaign re-simulates journaled attempts without writing them again")
    func resume() throws {
        let journal = MemoryJournal()
        _ = try Self.campaign(seed: 5, stows: 2, journal: journal)
        let resumed = try Self.campaign(seed: 5, stows: 3, journal: journal, resumeFrom: 2)
        #expect(resumed.attempts == 3)
        #expect(resumed.resumedFrom == 2)
        #expect(journal.records.map(\.attemptIndex) == [0, 1, 2])
    }

    @Test("causes count together without their numbers")
    func causeClasses() {
        #expect(CampaignRunner.causeClass("plank force limit: 3600 mA at 120.5 mm") == "plank force limit: # mA at # mm")
    }
}
