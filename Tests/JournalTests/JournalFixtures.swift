import Control
import Foundation

/// A fresh directory per test, removed when the test is done with it.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("journal-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Attempts with every field filled, distinct per index, as a campaign would record them.
enum SampleAttempts {
    static func attempt(
        campaign: String = "c1", index: Int, outcome: StowOutcome = .success, cause: String = "",
        startSeconds: Double? = nil, durationSeconds: Double = 16, faults: [String] = [], retries: Int = 0,
        exploration: Bool = false, itemID: String? = nil
    ) -> StowAttemptRecord {
        let start = UInt64(((startSeconds ?? Double(index) * 16)) * 1e9)
        let end = start + UInt64(durationSeconds * 1e9)
        let middle = start + (end - start) / 2
        return StowAttemptRecord(
            campaignID: campaign, attemptIndex: index, itemID: itemID ?? "item-\(index)", itemKind: "box-small",
            binName: "B\(index % 4)", binsTried: retries == 0 ? ["B\(index % 4)"] : ["A9", "B\(index % 4)"],
            outcome: outcome, cause: cause, startNanoseconds: start, endNanoseconds: end,
            phases: [
                PhaseRecord(phase: "grasp", startNanoseconds: start, endNanoseconds: middle, result: "ok"),
                PhaseRecord(phase: "insert", startNanoseconds: middle, endNanoseconds: end,
                            result: outcome == .success ? "ok" : cause),
            ],
            retries: retries, exploration: exploration, faults: faults)
    }
}
