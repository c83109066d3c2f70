import HAL

/// The attempt being carried out, filled in as the cycle goes and turned into a journal record
/// at the end.
struct StowAttemptDraft {
    var attemptIndex: Int
    var item: ItemCatalogEntry
    var start: MonotonicInstant
    var choice: BinChoice?
    var binsTried: [String] = []
    var phases: [PhaseRecord] = []
    var exploration = false
    var verdict: StowOutcome = .unproductive
    var cause = ""
    var faults: [String] = []
    /// Belt position when the insert started, to measure how far the item went.
    var beltStartMM = 0.0

    init(attemptIndex: Int, item: ItemCatalogEntry, start: MonotonicInstant) {
        self.attemptIndex = attemptIndex
        self.item = item
        self.start = start
        binsTried.reserveCapacity(4)
        phases.reserveCapacity(24)
    }

    func record(campaignID: String, end: MonotonicInstant) -> StowAttemptRecord {
        StowAttemptRecord(
            campaignID: campaignID, attemptIndex: attemptIndex, itemID: item.id, itemKind: item.kind,
            binName: binsTried.last, binsTried: binsTried, outcome: verdict, cause: verdict == .success ? "" : cause,
            startNanoseconds: start.nanoseconds, endNanoseconds: end.nanoseconds, phases: phases,
            retries: max(0, binsTried.count - 1), exploration: exploration, faults: faults)
    }
}
