import GRDB

/// The journal's tables, created and upgraded by a `DatabaseMigrator` (docs/journal.md draws them).
///
/// A new column or table is a new registered migration appended below; a registered migration is
/// never edited once released, so an older journal upgrades step by step and a newer one is
/// recognised (`hasBeenSuperseded`) and refused with a clear message.
enum JournalSchema {
    /// `PRAGMA application_id` of every stow journal: "STOW" in ASCII. Tells our file from any
    /// other SQLite file before anything is written to it.
    static let applicationID: Int32 = 0x5354_4F57

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: campaigns, attempts, phases") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: """
                CREATE TABLE campaigns (
                    id          TEXT PRIMARY KEY NOT NULL,
                    -- Wall clock when the campaign was first started, ISO 8601 UTC.
                    started_at  TEXT NOT NULL,
                    -- The config file the campaign ran with, as given on the command line.
                    config      TEXT,
                    -- Decimal text: a UInt64 seed does not fit SQLite's signed INTEGER.
                    seed        TEXT,
                    -- `default`, `paper-2025`, or `stress` for synthetic attempts.
                    world       TEXT
                ) STRICT;

                CREATE TABLE attempts (
                    id            INTEGER PRIMARY KEY,
                    campaign_id   TEXT NOT NULL REFERENCES campaigns(id),
                    attempt_index INTEGER NOT NULL CHECK (attempt_index >= 0),
                    item          TEXT NOT NULL,
                    kind          TEXT NOT NULL,
                    bin           TEXT,
                    outcome       TEXT NOT NULL
                                  CHECK (outcome IN ('success', 'unproductive', 'amnesty', 'damage')),
                    cause         TEXT NOT NULL,
                    -- Controller monotonic clock (virtual time in a simulation), nanoseconds.
                    start_ns      INTEGER NOT NULL,
                    end_ns        INTEGER NOT NULL CHECK (end_ns >= start_ns),
                    retries       INTEGER NOT NULL CHECK (retries >= 0),
                    exploration   INTEGER NOT NULL CHECK (exploration IN (0, 1)),
                    -- JSON arrays of strings.
                    bins_tried    TEXT NOT NULL CHECK (json_valid(bins_tried)),
                    faults        TEXT NOT NULL CHECK (json_valid(faults)),
                    -- Wall clock at commit, ISO 8601 UTC: when the record reached the disk.
                    recorded_at   TEXT NOT NULL,
                    UNIQUE (campaign_id, attempt_index)
                ) STRICT;

                CREATE TABLE phases (
                    id          INTEGER PRIMARY KEY,
                    attempt_id  INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
                    -- 0, 1, 2, ... in the order the phases ran.
                    position    INTEGER NOT NULL,
                    phase       TEXT NOT NULL,
                    start_ns    INTEGER NOT NULL,
                    end_ns      INTEGER NOT NULL,
                    result      TEXT NOT NULL,
                    UNIQUE (attempt_id, position)
                ) STRICT;

                CREATE INDEX attempts_by_outcome ON attempts(campaign_id, outcome);
                """)
        }
        return migrator
    }()
}
