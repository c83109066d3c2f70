import Foundation
import FuzzHarness
import Testing

/// Every input a fuzzer ever crashed on (`Fuzz/Regressions/TARGET/`), and every seed
/// (`seedFolders`, the same folders `scripts/fuzz` starts from), replayed through the same harness the libFuzzer targets call. A crash
/// here is a trap in the test process: the fix regressed.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let fuzzRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// Seed corpora per target, from the repository root (keep in step with `scripts/fuzz`).
    static let seedFolders: [String: [String]] = [
        "modbus-reply": ["Fuzz/Seeds/modbus-reply"],
        "robot-config": ["Tests/ConfigTests/Corpus/good", "Tests/ConfigTests/Corpus/bad", "firmware-config"],
        "console-line": ["Fuzz/Seeds/console-line"],
        "pgm-frame": ["Fuzz/Seeds/pgm-frame"],
    ]

    static func files(in folder: String) -> [URL] {
        let directory = fuzzRoot.deletingLastPathComponent().appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test("every crash input found so far returns normally", arguments: FuzzHarness.targets.keys.sorted())
    func regressions(_ target: String) throws {
        let feed = try #require(FuzzHarness.targets[target])
        for file in Self.files(in: "Fuzz/Regressions/\(target)") {
            feed(Array(try Data(contentsOf: file)))
        }
    }

    @Test("every seed input returns normally, and each target has seeds", arguments: FuzzHarness.targets.keys.sorted())
    func seeds(_ target: String) throws {
        let feed = try #require(FuzzHarness.targets[target])
        let files = (Self.seedFolders[target] ?? []).flatMap { Self.files(in: $0) }
        #expect(!files.isEmpty, "no seeds for \(target)")
        for file in files {
            feed(Array(try Data(contentsOf: file)))
        }
    }
}
