import Control
import GRDB

/// The figures of a campaign (or of every campaign) as recorded in the journal: what
/// `stowctl journal summary` prints. JSON keys follow the campaign report's (`attempts`,
/// `success`, ..., `uph`).
public struct JournalSummary: Codable, Sendable, Equatable {
    /// The campaign summarised; nil for every campaign in the journal.
    public var campaignID: String?
    /// Campaigns with at least one attempt in the summary.
    public var campaigns: Int
    public var attempts: Int
    public var success: Int
    public var unproductive: Int
    public var amnesty: Int
    public var damage: Int
    /// Share of attempts per outcome, in percent, keyed by outcome (`success`, ...).
    public var percent: [String: Double]
    /// Controller-clock time from the first attempt's start to the last attempt's end, added up
    /// over campaigns (each campaign has its own clock).
    public var spanSeconds: Double
    /// Successful stows per hour of `spanSeconds`.
    public var uph: Double
    /// Bins tried after the first, over all attempts.
    public var retries: Int
    /// Attempts that relaxed margins or tried an alternative behaviour.
    public var exploration: Int
    /// Every cause of a non-success with its outcome and count, most frequent first.
    public var causes: [CauseCount]
    /// Latched safety faults as recorded, with how often each was recorded, most frequent first.
    public var faults: [CauseCount]

    public struct CauseCount: Codable, Sendable, Equatable {
        /// The outcome the cause led to; nil for faults.
        public var outcome: String?
        public var cause: String
        public var count: Int

        public init(outcome: String?, cause: String, count: Int) {
            self.outcome = outcome
            self.cause = cause
            self.count = count
        }
    }

    public func count(_ outcome: StowOutcome) -> Int {
        switch outcome {
        case .success: success
        case .unproductive: unproductive
        case .amnesty: amnesty
        case .damage: damage
        }
    }
}

extension StowJournal {
    /// Counts by outcome, shares, units per hour over the recorded span, retries, exploration,
    /// causes and faults, for `campaignID` or (nil) every campaign. An unknown campaign id is not
    /// an error: its summary has 0 attempts, which the caller can report.
    public func summary(campaignID: String?) throws -> JournalSummary {
        try read("summarising") { db in
            let filter = campaignID == nil ? "" : "WHERE campaign_id = ?"
            let arguments: StatementArguments = campaignID.map { [$0] } ?? []

            var counts: [StowOutcome: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM attempts \(filter) GROUP BY outcome",
                                        arguments: arguments) {
                let outcomeText: String = row["outcome"]
                if let outcome = StowOutcome(rawValue: outcomeText) { counts[outcome] = row["n"] }
            }
            let totals = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS attempts, COALESCE(SUM(retries), 0) AS retries,
                       COALESCE(SUM(exploration), 0) AS exploration, COUNT(DISTINCT campaign_id) AS campaigns
                FROM attempts \(filter)
                """, arguments: arguments)
            let spanNanoseconds = try Int64.fetchOne(db, sql: """
                SELECT COALESCE(SUM(span), 0) FROM (
                    SELECT MAX(end_ns) - MIN(start_ns) AS span FROM attempts \(filter) GROUP BY campaign_id)
                """, arguments: arguments) ?? 0
            let causes = try Row.fetchAll(db, sql: """
                SELECT outcome, cause, COUNT(*) AS n FROM attempts
                WHERE outcome != 'success' \(campaignID == nil ? "" : "AND campaign_id = ?")
                GROUP BY outcome, cause ORDER BY n DESC, outcome, cause
                """, arguments: arguments).map { row in
                JournalSummary.CauseCount(outcome: row["outcome"], cause: row["cause"], count: row["n"])
            }
            let faults = try Row.fetchAll(db, sql: """
                SELECT fault.value AS fault, COUNT(*) AS n FROM attempts, json_each(attempts.faults) AS fault
                \(campaignID == nil ? "" : "WHERE attempts.campaign_id = ?")
                GROUP BY fault.value ORDER BY n DESC, fault.value
                """, arguments: arguments).map { row in
                JournalSummary.CauseCount(outcome: nil, cause: row["fault"], count: row["n"])
            }

            let attempts: Int = totals?["attempts"] ?? 0
            var percent: [String: Double] = [:]
            for outcome in StowOutcome.allCases {
                percent[outcome.rawValue] = attempts == 0 ? 0 : 100 * Double(counts[outcome] ?? 0) / Double(attempts)
            }
            let spanSeconds = Double(spanNanoseconds) / 1e9
            let success = counts[.success] ?? 0
            return JournalSummary(
                campaignID: campaignID, campaigns: totals?["campaigns"] ?? 0, attempts: attempts,
                success: success, unproductive: counts[.unproductive] ?? 0, amnesty: counts[.amnesty] ?? 0,
                damage: counts[.damage] ?? 0, percent: percent, spanSeconds: spanSeconds,
                uph: spanSeconds > 0 ? Double(success) / (spanSeconds / 3600) : 0,
                retries: totals?["retries"] ?? 0, exploration: totals?["exploration"] ?? 0,
                causes: causes, faults: faults)
        }
    }
}
