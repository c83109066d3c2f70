import Control
import Foundation
import Testing
@testable import Journal

/// `export`: CSV per RFC 4180 and JSON that decodes back to the records.
struct JournalExportTests {
    private func exported(_ journal: StowJournal, campaignID: String?, format: JournalExportFormat,
                          in directory: TemporaryDirectory) throws -> (count: Int, text: String) {
        let path = directory.path("export.\(format.rawValue)")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let count = try journal.export(campaignID: campaignID, format: format, to: handle)
        try handle.close()
        return (count, try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test("CSV quotes fields with commas, quotes and line breaks, doubles quotes, ends rows with CRLF")
    func csvQuoting() throws {
        #expect(CSV.quoted("plain") == "plain")
        #expect(CSV.quoted("a,b") == "\"a,b\"")
        #expect(CSV.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.quoted("two\nlines") == "\"two\nlines\"")
        #expect(CSV.quoted("crlf\r\nhere") == "\"crlf\r\nhere\"")
        #expect(CSV.quoted("") == "")
        #expect(CSV.row(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
    }

    @Test("CSV export: a header, then one row per attempt, awkward text quoted")
    func csvExport() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        try journal.record(SampleAttempts.attempt(index: 0))
        try journal.record(SampleAttempts.attempt(index: 1, outcome: .unproductive, cause: "jam: belt current 1700 mA, \"high\""))
        try journal.record(SampleAttempts.attempt(campaign: "c2", index: 0))

        let (count, text) = try exported(journal, campaignID: "c1", format: .csv, in: directory)
        #expect(count == 2)
        let rows = text.components(separatedBy: "\r\n")
        #expect(rows.count == 4)  // header, two attempts, and the empty string after the last CRLF
        #expect(rows[0] == StowJournal.csvColumns.joined(separator: ","))
        #expect(rows[1].hasPrefix("c1,0,item-0,box-small,B0,success,,0,16000000000,16.000,0,0,\"[\"\"B0\"\"]\",[],"))
        #expect(rows[2].hasPrefix("c1,1,item-1,box-small,B1,unproductive,\"jam: belt current 1700 mA, \"\"high\"\"\",16000000000,"))
        #expect(rows[3] == "")
    }

    @Test("JSON export is an array that decodes back to the recorded attempts")
    func jsonExportDecodesBack() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        let attempts = (0..<5).map { SampleAttempts.attempt(index: $0, outcome: $0 == 2 ? .damage : .success,
                                                            cause: $0 == 2 ? "crushed, \"badly\"" : "") }
        for attempt in attempts { try journal.record(attempt) }

        let (count, text) = try exported(journal, campaignID: nil, format: .json, in: directory)
        #expect(count == 5)
        let decoded = try JSONDecoder().decode([StowAttemptRecord].self, from: Data(text.utf8))
        #expect(decoded == attempts)
    }

    @Test("an export of nothing is a header alone, or an empty JSON array")
    func emptyExport() throws {
        let directory = try TemporaryDirectory()
        let journal = try StowJournal(path: directory.path("j.sqlite"))
        #expect(try exported(journal, campaignID: "none", format: .csv, in: directory).text
                == StowJournal.csvColumns.joined(separator: ",") + "\r\n")
        let json = try exported(journal, campaignID: "none", format: .json, in: directory).text
        #expect(try JSONDecoder().decode([StowAttemptRecord].self, from: Data(json.utf8)).isEmpty)
    }
}
