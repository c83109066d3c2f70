import Control
import Testing
@testable import Journal

/// `summary`: the campaign figures computed from what the journal holds.
struct JournalSummaryTests {
    /// 10 attempts of 36 s each, back to back over 360 s: 7 successes, 2 unproductive (same cause),
    /// 1 amnesty with a fault; 3 retries in all; 1 exploration. A second campaign of 1 damage.
    private func journalWithTenAttempts(_ directory: TemporaryDirectory) throws -> StowJournal {
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        for index in 0..<7 {
            try journal.record(SampleAttempts.attempt(index: index, startSeconds: Double(index) * 36, durationSeconds: 36,
                                                      retries: index == 0 ? 1 : 0, exploration: index == 3))
        }
        for index in 7..<9 {
            try journal.record(SampleAttempts.attempt(index: index, outcome: .unproductive, cause: "no bin fits 180 mm",
                                                      startSeconds: Double(index) * 36, durationSeconds: 36, retries: 1))
        }
        try journal.record(SampleAttempts.attempt(index: 9, outcome: .amnesty, cause: "item fell out",
                                                  startSeconds: 9 * 36, durationSeconds: 36,
                                                  faults: ["estop eoat.estop: pressed"]))
        try journal.record(SampleAttempts.attempt(campaign: "c2", index: 0, outcome: .damage, cause: "crushed",
                                                  startSeconds: 0, durationSeconds: 36))
        return journal
    }

    @Test("counts, shares, units per hour over the span, retries, exploration and causes of one campaign")
    func oneCampaign() throws {
        let directory = try TemporaryDirectory()
        let summary = try journalWithTenAttempts(directory).summary(campaignID: "c1")

        #expect(summary.campaignID == "c1")
        #expect(summary.campaigns == 1)
        #expect(summary.attempts == 10)
        #expect(summary.success == 7)
        #expect(summary.unproductive == 2)
        #expect(summary.amnesty == 1)
        #expect(summary.damage == 0)
        #expect(summary.percent["success"] == 70)
        #expect(summary.percent["unproductive"] == 20)
        #expect(summary.percent["amnesty"] == 10)
        #expect(summary.percent["damage"] == 0)
        #expect(summary.spanSeconds == 360)
        #expect(abs(summary.uph - 70) < 1e-9)  // 7 successes in 0.1 h
        #expect(summary.retries == 3)
        #expect(summary.exploration == 1)
        #expect(summary.causes == [
            .init(outcome: "unproductive", cause: "no bin fits 180 mm", count: 2),
            .init(outcome: "amnesty", cause: "item fell out", count: 1),
        ])
        #expect(summary.faults == [.init(outcome: nil, cause: "estop eoat.estop: pressed", count: 1)])
    }

    @Test("with no campaign given, every campaign counts and the spans add up")
    func allCampaigns() throws {
        let directory = try TemporaryDirectory()
        let summary = try journalWithTenAttempts(directory).summary(campaignID: nil)
        #expect(summary.campaignID == nil)
        #expect(summary.campaigns == 2)
        #expect(summary.attempts == 11)
        #expect(summary.damage == 1)
        #expect(summary.spanSeconds == 396)
    }

    @Test("an unknown campaign summarises to zero attempts and no division by zero")
    func unknownCampaign() throws {
        let directory = try TemporaryDirectory()
        let summary = try journalWithTenAttempts(directory).summary(campaignID: "nope")
        #expect(summary.attempts == 0)
        #expect(summary.uph == 0)
        #expect(summary.percent["success"] == 0)
        #expect(summary.causes.isEmpty)
    }
}
