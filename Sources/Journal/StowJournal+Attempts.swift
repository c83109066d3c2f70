import Control
import GRDB

extension StowJournal {
    /// Every recorded attempt of `campaignID` (of all campaigns when nil), in the order recorded.
    public func attempts(campaignID: String?) throws -> [StowAttemptRecord] {
        var records: [StowAttemptRecord] = []
        try forEachAttempt(campaignID: campaignID) { records.append($0) }
        return records
    }

    /// Calls `body` with each recorded attempt in the order recorded, reading one at a time so a
    /// campaign of 100,000 attempts is never all in memory. Runs in one read transaction: what a
    /// campaign commits meanwhile is not seen.
    public func forEachAttempt(campaignID: String?, _ body: (StowAttemptRecord) throws -> Void) throws {
        try read("reading attempts") { db in
            let filter = campaignID == nil ? "" : "WHERE campaign_id = ?"
            let arguments: StatementArguments = campaignID.map { [$0] } ?? []
            let attemptRows = try Row.fetchCursor(db, sql: """
                SELECT id, campaign_id, attempt_index, item, kind, bin, outcome, cause, start_ns, end_ns,
                       retries, exploration, bins_tried, faults
                FROM attempts \(filter) ORDER BY id
                """, arguments: arguments)
            let phaseStatement = try db.cachedStatement(sql: """
                SELECT phase, start_ns, end_ns, result FROM phases WHERE attempt_id = ? ORDER BY position
                """)
            while let row = try attemptRows.next() {
                let attemptRowID: Int64 = row["id"]
                let phases = try Row.fetchAll(phaseStatement, arguments: [attemptRowID]).map { phaseRow in
                    PhaseRecord(phase: phaseRow["phase"],
                                startNanoseconds: Self.nanoseconds(phaseRow["start_ns"]),
                                endNanoseconds: Self.nanoseconds(phaseRow["end_ns"]),
                                result: phaseRow["result"])
                }
                try body(try attemptRecord(row, phases: phases))
            }
        }
    }

    private func attemptRecord(_ row: Row, phases: [PhaseRecord]) throws -> StowAttemptRecord {
        let campaignID: String = row["campaign_id"]
        let attemptIndex: Int = row["attempt_index"]
        let outcomeText: String = row["outcome"]
        guard let outcome = StowOutcome(rawValue: outcomeText) else {
            throw JournalError.corrupt(path: path, detail: "attempt \(attemptIndex) of campaign '\(campaignID)' "
                + "has unknown outcome '\(outcomeText)'")
        }
        let binsTried: [String]
        let faults: [String]
        do {
            binsTried = try JSONText.decodeStrings(row["bins_tried"])
            faults = try JSONText.decodeStrings(row["faults"])
        } catch {
            throw JournalError.corrupt(path: path, detail: "attempt \(attemptIndex) of campaign '\(campaignID)' "
                + "has bins_tried or faults that are not a JSON array of strings")
        }
        return StowAttemptRecord(
            campaignID: campaignID, attemptIndex: attemptIndex, itemID: row["item"], itemKind: row["kind"],
            binName: row["bin"], binsTried: binsTried, outcome: outcome, cause: row["cause"],
            startNanoseconds: Self.nanoseconds(row["start_ns"]), endNanoseconds: Self.nanoseconds(row["end_ns"]),
            phases: phases, retries: row["retries"], exploration: row["exploration"], faults: faults)
    }

    /// Times are stored as Int64 (checked on the way in), never negative.
    private static func nanoseconds(_ stored: Int64) -> UInt64 {
        UInt64(clamping: stored)
    }
}
