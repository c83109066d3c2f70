import Foundation
import Testing

/// `stowctl journal ...` as a user meets it: clear errors for the wrong file, and the commands'
/// output on a journal written by `journal stress`.
struct JournalCommandLineTests {
    @Test("a missing journal is an error naming the file and the default, and no file is created")
    func missingJournal() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).sqlite").path
        for command in [["summary"], ["export"], ["check"]] {
            let result = try StowctlProcess.run(["journal"] + command + ["--db", path])
            #expect(result.exitCode == 1)
            #expect(result.stderr.contains("\(path): no stow journal here; pass --db"))
            #expect(result.stderr.contains("./stow-journal.sqlite"))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a file that is not a journal is refused as 'not a stow journal'")
    func foreignFile() throws {
        let result = try StowctlProcess.run(["journal", "summary", "--db", "Package.swift"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("Package.swift: not a stow journal"))
    }

    @Test("summary, export and check read what stress recorded; an unknown campaign lists the known ones")
    func commandsOnARecordedJournal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("j.sqlite").path

        let stress = try StowctlProcess.run(["journal", "stress", "--db", db, "--campaign", "c1", "--count", "40"])
        #expect(stress.exitCode == 0)
        #expect(stress.stdout.split(separator: "\n").count == 40)
        #expect(stress.stderr.contains("attempts/s"))

        let text = try StowctlProcess.run(["journal", "summary", "--db", db])
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("40 attempt(s)"))
        #expect(text.stdout.contains("success"))

        let json = try StowctlProcess.run(["journal", "summary", "--db", db, "--campaign", "c1", "--json"])
        let summary = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(summary["attempts"] as? Int == 40)
        #expect(summary["success"] as? Int == 34)  // 17 of every 20 synthetic attempts
        #expect(summary["unproductive"] as? Int == 4)
        #expect(summary["amnesty"] as? Int == 2)

        let csv = try StowctlProcess.run(["journal", "export", "--db", db, "--format", "csv"])
        #expect(csv.exitCode == 0)
        #expect(csv.stdout.components(separatedBy: "\r\n").count == 42)  // header, 40 rows, final empty

        let output = directory.appendingPathComponent("out.json").path
        let toFile = try StowctlProcess.run(["journal", "export", "--db", db, "--format", "json", "--output", output])
        #expect(toFile.exitCode == 0)
        #expect(toFile.stderr.contains("wrote 40 attempt(s) to \(output)"))

        let unknown = try StowctlProcess.run(["journal", "summary", "--db", db, "--campaign", "c9"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("no campaign 'c9' (campaigns in this journal: c1)"))

        let rerun = try StowctlProcess.run(["journal", "stress", "--db", db, "--campaign", "c1", "--count", "45"])
        #expect(rerun.stderr.contains("resuming campaign 'c1' at attempt 40 (40 already recorded)"))
        #expect(rerun.stdout.split(separator: "\n") == ["40", "41", "42", "43", "44"])
    }
}
