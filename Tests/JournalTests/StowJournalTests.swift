import Control
import Foundation
import GRDB
import Testing
@testable import Journal

/// Recording and reading back: what a campaign writes is what a reader gets, whole or not at all.
struct StowJournalTests {
    @Test("a recorded attempt reads back equal, phases in order, lists and optionals intact")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        let first = SampleAttempts.attempt(index: 0)
        var second = SampleAttempts.attempt(index: 1, outcome: .amnesty, cause: "item fell out: belt slip",
                                            faults: ["estop eoat.estop: pressed"], retries: 1, exploration: true)
        second.binName = nil
        second.itemID = "ünïcode, \"quoted\"\nline"
        try journal.record(first)
        try journal.record(second)

        #expect(try journal.attempts(campaignID: "c1") == [first, second])
        #expect(try journal.attempts(campaignID: nil) == [first, second])
        #expect(try journal.attempts(campaignID: "other").isEmpty)
    }

    @Test("recording the same attempt index twice is refused and leaves nothing half-written")
    func sameIndexTwiceIsRefused() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        try journal.record(SampleAttempts.attempt(index: 0))
        let phasesBefore = try journal.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM phases") }

        let again = SampleAttempts.attempt(index: 0, outcome: .damage, cause: "crushed", itemID: "other-item")
        #expect(throws: JournalError.duplicateAttempt(path: directory.path("j.sqlite"), campaignID: "c1",
                                                      attemptIndex: 0, completedAttempts: 1)) {
            try journal.record(again)
        }
        #expect(try journal.attempts(campaignID: "c1") == [SampleAttempts.attempt(index: 0)])
        #expect(try journal.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM phases") } == phasesBefore)
        // The same index in another campaign is a different attempt.
        try journal.record(SampleAttempts.attempt(campaign: "c2", index: 0))
    }

    @Test("completedAttempts counts per campaign and survives reopening: a rerun resumes there")
    func resumeCount() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        do {
            let journal = try StowJournal(path: path)
            #expect(try journal.startCampaign(JournalCampaign(id: "c1", configFile: "sim.yaml", seed: 7, world: "default")) == 0)
            for index in 0..<5 { try journal.record(SampleAttempts.attempt(index: index)) }
            try journal.record(SampleAttempts.attempt(campaign: "c2", index: 0))
        }
        let reopened = try StowJournal(path: path)
        #expect(try reopened.completedAttempts(campaignID: "c1") == 5)
        #expect(try reopened.completedAttempts(campaignID: "c2") == 1)
        #expect(try reopened.completedAttempts(campaignID: "never-ran") == 0)
        #expect(try reopened.startCampaign(JournalCampaign(id: "c1", configFile: "sim.yaml", seed: 7, world: "default")) == 5)
    }

    @Test("a campaign id rerun with another seed is refused, naming both seeds")
    func campaignSettingsMustMatchToResume() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        try journal.startCampaign(JournalCampaign(id: "c1", configFile: "sim.yaml", seed: 7, world: "default"))
        do {
            try journal.startCampaign(JournalCampaign(id: "c1", configFile: "sim.yaml", seed: 8, world: "default"))
            Issue.record("a different seed was accepted")
        } catch let error as JournalError {
            #expect(error.description.contains("campaign 'c1' is already in the journal with seed 7, not 8"))
        }
    }

    @Test("campaigns() lists each campaign with its settings and attempt count")
    func campaignList() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        try journal.startCampaign(JournalCampaign(id: "c1", configFile: "sim.yaml", seed: UInt64.max, world: "paper-2025"))
        for index in 0..<3 { try journal.record(SampleAttempts.attempt(index: index)) }
        try journal.record(SampleAttempts.attempt(campaign: "c2", index: 0))

        let campaigns = try journal.campaigns()
        #expect(campaigns.map(\.id).sorted() == ["c1", "c2"])
        let c1 = try #require(campaigns.first { $0.id == "c1" })
        #expect(c1.seed == UInt64.max)
        #expect(c1.configFile == "sim.yaml")
        #expect(c1.world == "paper-2025")
        #expect(c1.attempts == 3)
        #expect(c1.startedAt != nil)
    }

    @Test("the journal is in WAL mode with synchronous = FULL, so a commit is fsynced")
    func durabilitySettings() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        let journalMode = try journal.queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        let synchronous = try journal.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(journalMode == "wal")
        #expect(synchronous == 2)  // FULL
    }

    @Test("durability .processCrash keeps WAL but relaxes to synchronous = NORMAL")
    func processCrashDurability() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"), durability: .processCrash)
        let synchronous = try journal.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        let journalMode = try journal.queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(synchronous == 1)  // NORMAL
        #expect(journalMode == "wal")
    }

    @Test("a fresh journal with attempts passes the integrity check")
    func integrityOK() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        for index in 0..<20 { try journal.record(SampleAttempts.attempt(index: index)) }
        #expect(try journal.integrityCheck() == .ok)
        let reader = try StowJournal(path: directory.path("j.sqlite"), access: .readOnly)
        #expect(try reader.integrityCheck() == .ok)
    }

    @Test("a time that does not fit SQLite's signed 64 bits is refused before anything is written")
    func hugeTimeIsRefused() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        var attempt = SampleAttempts.attempt(index: 0)
        attempt.endNanoseconds = UInt64.max
        #expect(throws: JournalError.self) { try journal.record(attempt) }
        #expect(try journal.completedAttempts(campaignID: "c1") == 0)
    }

    @Test("an attempt that ends before it starts breaks the schema's rule and is not written")
    func endBeforeStartIsRefused() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        var attempt = SampleAttempts.attempt(index: 3)
        attempt.endNanoseconds = attempt.startNanoseconds - 1
        do {
            try journal.record(attempt)
            Issue.record("an attempt ending before its start was recorded")
        } catch let error as JournalError {
            guard case .invalidRecord = error else { Issue.record("wrong error: \(error)"); return }
        }
        #expect(try journal.completedAttempts(campaignID: "c1") == 0)
    }
}
