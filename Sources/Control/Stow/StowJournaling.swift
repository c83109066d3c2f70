/// Where finished stow attempts go, durably, before the next attempt starts. The SQLite journal
/// implements it; Control knows only this.
public protocol StowJournaling: AnyObject {
    /// Writes the attempt and returns once it is on disk. Throws when it could not be written; the
    /// campaign stops rather than run on without a record.
    func record(_ attempt: StowAttemptRecord) throws
    /// Attempts already recorded for `campaignID` (a rerun resumes after them).
    func completedAttempts(campaignID: String) throws -> Int
}
