/// One campaign as the journal knows it. Pass one to `StowJournal.startCampaign` (the settings a
/// rerun must match to resume); `StowJournal.campaigns()` returns them with what was recorded.
public struct JournalCampaign: Codable, Sendable, Equatable {
    public var id: String
    /// The config file the campaign ran with, as given on the command line.
    public var configFile: String?
    public var seed: UInt64?
    /// `default`, `paper-2025`, or `stress` for synthetic attempts.
    public var world: String?
    /// Wall clock when the campaign was first started, ISO 8601 UTC; nil before it is in the journal.
    public var startedAt: String?
    /// Attempts recorded so far; 0 before it is in the journal.
    public var attempts: Int

    public init(id: String, configFile: String? = nil, seed: UInt64? = nil, world: String? = nil,
                startedAt: String? = nil, attempts: Int = 0) {
        self.id = id
        self.configFile = configFile
        self.seed = seed
        self.world = world
        self.startedAt = startedAt
        self.attempts = attempts
    }
}

/// What `StowJournal.integrityCheck()` found.
public enum JournalIntegrity: Sendable, Equatable {
    /// `PRAGMA integrity_check` said "ok" and no row refers to a missing row.
    case ok
    /// SQLite's messages, one per problem.
    case problems([String])
}
