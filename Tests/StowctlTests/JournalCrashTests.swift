import Foundation
import Testing

/// The journal under kill -9, through the built binary: `stowctl journal stress` prints each attempt
/// index after its commit; killed at any moment, the journal holds exactly the printed attempts (or
/// one more, committed but not yet printed), passes the integrity check, and a rerun resumes after
/// them. scripts/journal-crash-test does the same with hundreds of random kills.
struct JournalCrashTests {
    private static let campaign = "crash-test"

    /// One `stowctl journal stress` run, killed after `delayMilliseconds` (or left to finish when nil).
    private func stress(db: String, count: Int, killAfterMilliseconds delayMilliseconds: Int?) throws
        -> (printed: [Int], stderr: String)
    {
        let process = Process()
        process.executableURL = StowctlProcess.binary
        process.arguments = ["journal", "stress", "--db", db, "--campaign", Self.campaign, "--count", String(count)]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let delayMilliseconds {
            usleep(useconds_t(delayMilliseconds * 1000))
            kill(process.processIdentifier, SIGKILL)
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let printed = String(decoding: stdout, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        return (printed, String(decoding: stderr, as: UTF8.self))
    }

    /// Attempts of the campaign in the journal, after `stowctl journal check` said ok; 0 when the
    /// kill came before the journal or its schema existed.
    private func recordedAttempts(db: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: db) else { return 0 }
        let check = try StowctlProcess.run(["journal", "check", "--db", db])
        if check.exitCode != 0, check.stderr.contains("not a stow journal (an empty file") { return 0 }
        #expect(check.exitCode == 0, "journal check: \(check.stderr)")
        #expect(check.stdout.contains("\(db): ok"))
        let line = check.stdout.split(separator: "\n").first { $0.hasPrefix("campaign \(Self.campaign): ") }
        return line.flatMap { Int($0.split(separator: " ")[2]) } ?? 0
    }

    @Test("kill -9 while recording loses no committed attempt, leaves an intact journal, and a rerun resumes")
    func killNineLosesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("crash.sqlite").path

        var recorded = 0
        for delayMilliseconds in [0, 40, 90, 150, 220, 300] {
            let run = try stress(db: db, count: 10_000_000, killAfterMilliseconds: delayMilliseconds)
            if let first = run.printed.first {
                #expect(first == recorded, "resumed at \(first), the journal held \(recorded)")
                if recorded > 0 { #expect(run.stderr.contains("resuming campaign '\(Self.campaign)' at attempt \(recorded)")) }
            }
            let printedTotal = recorded + run.printed.count
            let now = try recordedAttempts(db: db)
            #expect(now == printedTotal || now == printedTotal + 1,
                    "killed after \(delayMilliseconds) ms: \(now) recorded, \(printedTotal) printed as committed")
            recorded = now
        }

        let final = try stress(db: db, count: recorded + 20, killAfterMilliseconds: nil)
        #expect(final.printed == Array(recorded..<(recorded + 20)))
        #expect(try recordedAttempts(db: db) == recorded + 20)

        let export = try StowctlProcess.run(["journal", "export", "--db", db, "--format", "json"])
        #expect(export.exitCode == 0)
        let records = try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(records.compactMap { $0["attemptIndex"] as? Int } == Array(0..<(recorded + 20)))
        #expect(records.allSatisfy { ($0["phases"] as? [Any])?.count == 7 })
    }
}
