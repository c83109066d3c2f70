import Control
import Foundation
import GRDB

/// The durable stow journal: one SQLite file (through GRDB) holding every attempt of every
/// campaign, each written in one transaction that is on disk before `record` returns.
///
/// Durability: WAL journal mode with `synchronous = FULL` (`Durability.powerLoss`, the default),
/// so every commit fsyncs the write-ahead log. A committed attempt survives a kill -9 and a power
/// cut; an attempt whose commit had not finished is absent as a whole (never half-written). WAL
/// with `synchronous = NORMAL` (the usual WAL setting, `Durability.processCrash`) also survives a
/// kill -9 but may lose the last commits on power loss: a stow the robot did but the journal
/// forgot, which is what this file exists to prevent on a robot. The cost is one fsync per attempt
/// (docs/journal.md has the figures), small beside a stow of several seconds; a simulated campaign
/// that must run thousands of stows a second may choose `.processCrash`.
///
/// Readers (`summary`, `export`) open with `.readOnly`: they never create the file nor change
/// it, and under WAL they read alongside a running campaign without blocking it.
///
/// The campaign runner:
///
///     let journal = try StowJournal(path: "stow-journal.sqlite")
///     let resumeAt = try journal.startCampaign(JournalCampaign(id: "c1", configFile: path, seed: 7, world: "default"))
///     for index in resumeAt..<stows { ...; try journal.record(attempt) }
public final class StowJournal: StowJournaling, Sendable {
    public enum Access: Sendable {
        /// Creates the file and its tables when missing; upgrades an older schema.
        case readWrite
        /// Never creates nor changes the file; a missing file is `JournalError.missingFile`.
        case readOnly
    }

    /// What a committed attempt survives. Either way a commit is all or nothing.
    public enum Durability: String, Sendable {
        /// `synchronous = FULL`: every commit is fsynced before `record` returns. For the robot.
        case powerLoss
        /// `synchronous = NORMAL`: survives a kill -9 of stowctl, not an OS crash or a power cut,
        /// which may lose the last commits. Several times faster; for simulated campaigns.
        case processCrash
    }

    /// Where `stowctl` looks when no `--db` is given: the current directory.
    public static let defaultPath = "stow-journal.sqlite"

    /// How long a write waits for another process's write lock before `JournalError.locked`.
    /// A commit takes milliseconds, so waiting seconds means something else holds the file.
    public static let defaultBusyTimeoutSeconds: TimeInterval = 5

    public let path: String
    public let access: Access
    public let durability: Durability
    let queue: DatabaseQueue

    /// Opens the journal at `path`, creating it (`.readWrite`) when it does not exist.
    /// Throws `JournalError` naming the file: not a stow journal, written by a newer stowctl,
    /// locked, read-only, damaged, or missing (`.readOnly`).
    public init(path: String, access: Access = .readWrite, durability: Durability = .powerLoss,
                busyTimeoutSeconds: TimeInterval = StowJournal.defaultBusyTimeoutSeconds) throws {
        self.path = path
        self.access = access
        self.durability = durability
        if access == .readOnly, !FileManager.default.fileExists(atPath: path) {
            throw JournalError.missingFile(path: path)
        }
        do {
            switch access {
            case .readWrite: queue = try Self.openQueue(path: path, readonly: false, busyTimeoutSeconds: busyTimeoutSeconds)
            case .readOnly: queue = try Self.openReader(path: path, busyTimeoutSeconds: busyTimeoutSeconds)
            }
        } catch {
            throw JournalError.wrap(error, path: path, operation: "opening the journal")
        }
        switch access {
        case .readWrite: try prepareForWriting()
        case .readOnly: try checkForReading()
        }
    }

    /// Closes the journal: SQLite folds the write-ahead log back into the file and removes it, so
    /// the file alone is the whole journal (a service's last act). Every recorded attempt was
    /// already on disk; later calls throw. The corresponding GRDB call is `DatabaseQueue.close()`.
    public func close() throws {
        do {
            try queue.close()
        } catch {
            throw JournalError.wrap(error, path: path, operation: "closing the journal")
        }
    }

    /// Registers `campaign` (or finds it again on a rerun) and returns how many of its attempts
    /// are already recorded: the attempt index the run resumes at, 0 for a new campaign.
    /// Throws `JournalError.campaignMismatch` when the id is known with another seed, config or world.
    @discardableResult
    public func startCampaign(_ campaign: JournalCampaign) throws -> Int {
        try write("starting campaign '\(campaign.id)'") { db in
            try Self.insertCampaignIfMissing(db, id: campaign.id)
            let row = try Row.fetchOne(db, sql: "SELECT config, seed, world FROM campaigns WHERE id = ?",
                                       arguments: [campaign.id])
            var mismatches: [String] = []
            var updates: [(column: String, value: String)] = []
            let given: [(column: String, value: String?)] = [
                ("config", campaign.configFile), ("seed", campaign.seed.map(String.init)), ("world", campaign.world),
            ]
            for (column, value) in given {
                guard let value else { continue }
                let recorded: String? = row?[column]
                if let recorded, recorded != value {
                    mismatches.append("\(column) \(recorded), not \(value)")
                } else if recorded == nil {
                    updates.append((column, value))
                }
            }
            if !mismatches.isEmpty {
                throw JournalError.campaignMismatch(path: path, campaignID: campaign.id,
                                                    detail: mismatches.joined(separator: ", "))
            }
            for (column, value) in updates {
                try db.execute(sql: "UPDATE campaigns SET \(column) = ? WHERE id = ?", arguments: [value, campaign.id])
            }
            return try Self.countAttempts(db, campaignID: campaign.id)
        }
    }

    /// Writes the attempt and its phases in one transaction and returns after the commit is on
    /// disk. On any error nothing of the attempt is in the journal. Recording an attempt index
    /// already recorded for the campaign is `JournalError.duplicateAttempt`.
    public func record(_ attempt: StowAttemptRecord) throws {
        let startNanoseconds = try storable(attempt.startNanoseconds, "start time")
        let endNanoseconds = try storable(attempt.endNanoseconds, "end time")
        let phaseTimes = try attempt.phases.map { phase in
            (try storable(phase.startNanoseconds, "\(phase.phase) start time"),
             try storable(phase.endNanoseconds, "\(phase.phase) end time"))
        }
        let recordedAt = Date().ISO8601Format()
        do {
            try queue.write { db in
                try Self.insertCampaignIfMissing(db, id: attempt.campaignID)
                try db.execute(
                    sql: """
                        INSERT INTO attempts (campaign_id, attempt_index, item, kind, bin, outcome, cause,
                                              start_ns, end_ns, retries, exploration, bins_tried, faults, recorded_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        attempt.campaignID, attempt.attemptIndex, attempt.itemID, attempt.itemKind, attempt.binName,
                        attempt.outcome.rawValue, attempt.cause, startNanoseconds, endNanoseconds, attempt.retries,
                        attempt.exploration, try JSONText.encode(attempt.binsTried), try JSONText.encode(attempt.faults),
                        recordedAt,
                    ])
                let attemptRowID = db.lastInsertedRowID
                for (position, phase) in attempt.phases.enumerated() {
                    try db.execute(
                        sql: """
                            INSERT INTO phases (attempt_id, position, phase, start_ns, end_ns, result)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [attemptRowID, position, phase.phase, phaseTimes[position].0, phaseTimes[position].1,
                                    phase.result])
                }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let completed = (try? completedAttempts(campaignID: attempt.campaignID)) ?? 0
            throw JournalError.duplicateAttempt(path: path, campaignID: attempt.campaignID,
                                                attemptIndex: attempt.attemptIndex, completedAttempts: completed)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw JournalError.invalidRecord(path: path, detail: "attempt \(attempt.attemptIndex) of campaign "
                + "'\(attempt.campaignID)' breaks a rule of the schema (\(error.message ?? "constraint"))")
        } catch {
            throw JournalError.wrap(error, path: path,
                                    operation: "recording attempt \(attempt.attemptIndex) of campaign '\(attempt.campaignID)'")
        }
    }

    /// Attempts already recorded for `campaignID`; a rerun resumes at this index.
    public func completedAttempts(campaignID: String) throws -> Int {
        try read("counting the attempts of campaign '\(campaignID)'") { db in
            try Self.countAttempts(db, campaignID: campaignID)
        }
    }

    /// Every campaign in the journal, oldest first, with its attempt count.
    public func campaigns() throws -> [JournalCampaign] {
        try read("listing campaigns") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT campaigns.id, campaigns.started_at, campaigns.config, campaigns.seed, campaigns.world,
                       (SELECT COUNT(*) FROM attempts WHERE attempts.campaign_id = campaigns.id) AS attempts
                FROM campaigns ORDER BY campaigns.started_at, campaigns.id
                """)
            return rows.map { row in
                let seedText: String? = row["seed"]
                return JournalCampaign(id: row["id"], configFile: row["config"], seed: seedText.flatMap { UInt64($0) },
                                       world: row["world"], startedAt: row["started_at"], attempts: row["attempts"])
            }
        }
    }

    /// SQLite's `PRAGMA integrity_check` and `PRAGMA foreign_key_check`: `.ok`, or every problem found.
    public func integrityCheck() throws -> JournalIntegrity {
        try read("checking integrity") { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if problems == ["ok"] { problems = [] }
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                let table: String = row[0]
                let rowID: Int64? = row[1]
                let parent: String = row[2]
                problems.append("\(table) row \(rowID.map(String.init) ?? "?") refers to a missing row of \(parent)")
            }
            return problems.isEmpty ? .ok : .problems(problems)
        }
    }

    // MARK: - Opening

    private static func openQueue(path: String, readonly: Bool, busyTimeoutSeconds: TimeInterval,
                                  queryOnly: Bool = false) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = readonly
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.label = "stow-journal"
        if queryOnly {
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = ON") }
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// A read-only connection, or, when the writer was killed and left a write-ahead log that must
    /// be recovered before anyone can read (SQLITE_READONLY_RECOVERY, which a read-only connection
    /// cannot do), a read-write connection with `query_only`: it recovers the log, which changes no
    /// recorded data, and refuses every statement that would write.
    private static func openReader(path: String, busyTimeoutSeconds: TimeInterval) throws -> DatabaseQueue {
        do {
            let queue = try openQueue(path: path, readonly: true, busyTimeoutSeconds: busyTimeoutSeconds)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") }
            return queue
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            return try openQueue(path: path, readonly: false, busyTimeoutSeconds: busyTimeoutSeconds, queryOnly: true)
        }
    }

    /// Refuses a foreign or newer file before writing anything to it, then sets WAL and
    /// `synchronous` (FULL or NORMAL, from `durability`) and creates or upgrades the tables.
    private func prepareForWriting() throws {
        do {
            try queue.writeWithoutTransaction { db in
                try checkIsStowJournal(db, allowEmpty: true)
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode == "wal" else {
                    throw JournalError.database(path: path, operation: "switching to WAL",
                                                detail: "SQLite kept journal mode \(mode ?? "unknown")")
                }
                // After the journal mode: a connection's synchronous setting is not stored in the file.
                let synchronous = durability == .powerLoss ? "FULL" : "NORMAL"
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            }
            try JournalSchema.migrator.migrate(queue)
        } catch {
            throw JournalError.wrap(error, path: path, operation: "opening the journal for writing")
        }
    }

    private func checkForReading() throws {
        do {
            try queue.read { db in
                try checkIsStowJournal(db, allowEmpty: false)
                if try !JournalSchema.migrator.hasCompletedMigrations(db) {
                    throw JournalError.needsUpgrade(path: path)
                }
            }
        } catch {
            throw JournalError.wrap(error, path: path, operation: "opening the journal for reading")
        }
    }

    /// Our `application_id`, or (when `allowEmpty`) a file with no tables at all, which becomes a journal.
    private func checkIsStowJournal(_ db: Database, allowEmpty: Bool) throws {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if applicationID == JournalSchema.applicationID {
            let migrator = JournalSchema.migrator
            if try migrator.hasBeenSuperseded(db) {
                let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                throw JournalError.writtenByNewerVersion(path: path, unknownMigrations: unknown)
            }
            return
        }
        if applicationID != 0 {
            let hex = String(UInt32(bitPattern: applicationID), radix: 16)
            throw JournalError.notAJournal(path: path, detail: "an SQLite database of another application, id 0x\(hex)")
        }
        // GRDB creates grdb_migrations in its own transaction before the first migration's: a
        // kill between the two leaves it alone and empty, which is still a journal to be.
        let otherTables = tables.filter { $0 != "grdb_migrations" }
        let appliedMigrations = tables.contains("grdb_migrations")
            ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") ?? 0 : 0
        if otherTables.isEmpty && appliedMigrations == 0 {
            if allowEmpty { return }
            throw JournalError.notAJournal(path: path, detail: "an empty file, no campaign has written to it")
        }
        let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", ..." : "")
        throw JournalError.notAJournal(path: path, detail: "an SQLite database with other tables: \(shown)")
    }

    // MARK: - Helpers

    /// Runs `body` in a read transaction, turning errors into `JournalError`s that name `operation`.
    func read<Value>(_ operation: String, _ body: (Database) throws -> Value) throws -> Value {
        do {
            return try queue.read(body)
        } catch {
            throw JournalError.wrap(error, path: path, operation: operation)
        }
    }

    /// Runs `body` in a write transaction that is committed (and on disk) when this returns.
    private func write<Value>(_ operation: String, _ body: (Database) throws -> Value) throws -> Value {
        do {
            return try queue.write(body)
        } catch {
            throw JournalError.wrap(error, path: path, operation: operation)
        }
    }

    private static func insertCampaignIfMissing(_ db: Database, id: String) throws {
        try db.execute(sql: "INSERT INTO campaigns (id, started_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
                       arguments: [id, Date().ISO8601Format()])
    }

    private static func countAttempts(_ db: Database, campaignID: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attempts WHERE campaign_id = ?", arguments: [campaignID]) ?? 0
    }

    /// SQLite integers are signed 64-bit: a monotonic time past 292 years of nanoseconds is a bug upstream.
    private func storable(_ nanoseconds: UInt64, _ what: String) throws -> Int64 {
        guard let value = Int64(exactly: nanoseconds) else {
            throw JournalError.invalidRecord(path: path, detail: "\(what) \(nanoseconds) ns does not fit a signed 64-bit integer")
        }
        return value
    }
}
