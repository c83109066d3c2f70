import Foundation
import Testing

/// `stowctl sim` end to end: a short campaign, its JSON, its journal, and resuming it.
@Suite("stowctl sim")
struct SimCommandLineTests {
    static func temporaryJournal() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sim-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite").path
    }

    static func removeJournal(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("a campaign prints the paper's keys as JSON, journals every attempt, and a rerun resumes and says so")
    func campaignJournalAndResume() throws {
        let journal = Self.temporaryJournal()
        defer { Self.removeJournal(journal) }
        let first = try StowctlProcess.run(["sim", "--stows", "2", "--seed", "4", "--journal", journal, "--json"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        for key in ["attempts", "success", "unproductive", "amnesty", "damage", "uph", "seed"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["attempts"] as? Int == 2)
        #expect(json["seed"] as? Int == 4)

        let second = try StowctlProcess.run(["sim", "--stows", "3", "--seed", "4", "--journal", journal, "--json"])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resuming campaign"))
        let summary = try StowctlProcess.run(["journal", "summary", "--db", journal, "--json"])
        #expect(summary.exitCode == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("\"attempts\" : 3") || summary.stdout.contains("\"attempts\":3"), "\(summary.stdout)")
    }

    @Test("bad options are refused before anything starts")
    func badOptions() throws {
        let stows = try StowctlProcess.run(["sim", "--stows", "0"])
        #expect(stows.exitCode != 0)
        #expect(stows.stderr.contains("--stows must be at least 1"))
        let world = try StowctlProcess.run(["sim", "--world", "mars"])
        #expect(world.exitCode != 0)
        #expect(world.stderr.contains("--world must be one of default, paper-2025"))
    }
}
