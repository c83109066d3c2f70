import GRDB

/// Why the journal could not be opened, read or written. Every message names the database file
/// and says what to do about it.
public enum JournalError: Error, CustomStringConvertible, Equatable {
    /// A read (summary, export) was asked of a file that is not there. Reads never create one.
    case missingFile(path: String)
    /// The file is not SQLite, or is SQLite written by something else.
    case notAJournal(path: String, detail: String)
    /// The file has schema migrations this stowctl does not know.
    case writtenByNewerVersion(path: String, unknownMigrations: [String])
    /// Opened read-only, but the schema is older than this stowctl's and needs a write to upgrade.
    case needsUpgrade(path: String)
    /// Another process holds the write lock longer than the busy timeout.
    case locked(path: String)
    /// The file, its directory, or this handle is read-only.
    case readOnly(path: String, detail: String)
    /// SQLite reports the file damaged.
    case corrupt(path: String, detail: String)
    /// The same (campaign, attempt index) is already recorded; nothing of the new attempt was written.
    case duplicateAttempt(path: String, campaignID: String, attemptIndex: Int, completedAttempts: Int)
    /// A campaign id already in the journal was started again with a different seed, config or world.
    case campaignMismatch(path: String, campaignID: String, detail: String)
    /// The record cannot be stored as it is (a time past Int64 nanoseconds, a negative index).
    case invalidRecord(path: String, detail: String)
    /// Any other SQLite failure, with the operation that hit it.
    case database(path: String, operation: String, detail: String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "\(path): no stow journal here; pass --db with the file a campaign wrote "
                + "(the default is ./stow-journal.sqlite, in the directory the campaign ran in)"
        case let .notAJournal(path, detail):
            return "\(path): not a stow journal (\(detail)); pass --db with the file a campaign wrote, "
                + "or move this file away so a new journal can be created"
        case let .writtenByNewerVersion(path, unknownMigrations):
            return "\(path): written by a newer stowctl (unknown schema steps: \(unknownMigrations.joined(separator: ", "))); "
                + "use that stowctl to read it, or start a new journal with another --db"
        case let .needsUpgrade(path):
            return "\(path): written by an older stowctl; it is upgraded the next time a campaign writes to it "
                + "(this read-only command does not change it)"
        case let .locked(path):
            return "\(path): locked by another process (a campaign writing to it?); wait for it to finish "
                + "or stop it, then retry"
        case let .readOnly(path, detail):
            return "\(path): cannot write (\(detail)); make the file and its directory writable, "
                + "or pass --db with a writable path"
        case let .corrupt(path, detail):
            return "\(path): damaged (\(detail)); keep a copy, then try `sqlite3 \(path) .recover` "
                + "and start new campaigns in a new journal"
        case let .duplicateAttempt(path, campaignID, attemptIndex, completedAttempts):
            return "\(path): attempt \(attemptIndex) of campaign '\(campaignID)' is already recorded "
                + "(\(completedAttempts) recorded); nothing was written. A rerun must resume at attempt \(completedAttempts)"
        case let .campaignMismatch(path, campaignID, detail):
            return "\(path): campaign '\(campaignID)' is already in the journal with \(detail); "
                + "rerun with the same settings to resume it, or pick a new campaign id"
        case let .invalidRecord(path, detail):
            return "\(path): cannot record the attempt: \(detail); nothing was written"
        case let .database(path, operation, detail):
            return "\(path): \(operation) failed: \(detail); check the path, the permissions and free disk space"
        }
    }

    /// Turns a GRDB error into the journal error that says what to do. Errors that are already
    /// journal errors pass through unchanged.
    static func wrap(_ error: any Error, path: String, operation: String) -> JournalError {
        if let journalError = error as? JournalError { return journalError }
        guard let databaseError = error as? DatabaseError else {
            return .database(path: path, operation: operation, detail: "\(error)")
        }
        let detail = "SQLite: " + (databaseError.message ?? "error \(databaseError.extendedResultCode.rawValue)")
        switch databaseError.resultCode {
        case .SQLITE_NOTADB:
            return .notAJournal(path: path, detail: "not an SQLite database")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .locked(path: path)
        case .SQLITE_READONLY:
            return .readOnly(path: path, detail: detail)
        case .SQLITE_CORRUPT:
            return .corrupt(path: path, detail: detail)
        default:
            return .database(path: path, operation: operation, detail: detail)
        }
    }
}
