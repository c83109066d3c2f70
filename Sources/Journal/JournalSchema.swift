import GRDB

/// The journal's tables, created and upgraded by a `DatabaseMigrator`.
enum JournalSchema {}
