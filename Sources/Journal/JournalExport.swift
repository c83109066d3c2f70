import Control
import Foundation

/// The formats of `StowJournal.export`.
public enum JournalExportFormat: String, CaseIterable, Sendable {
    /// RFC 4180: a header row, then one row per attempt; CRLF line ends; a field holding a comma,
    /// a double quote, CR or LF is quoted, with its quotes doubled. List columns (bins_tried,
    /// faults, phases) hold JSON text.
    case csv
    /// One JSON array of `StowAttemptRecord` objects (decodes back with `JSONDecoder`).
    case json
}

extension StowJournal {
    /// The CSV columns, in order.
    public static let csvColumns = [
        "campaign_id", "attempt_index", "item", "kind", "bin", "outcome", "cause", "start_ns", "end_ns",
        "duration_s", "retries", "exploration", "bins_tried", "faults", "phases",
    ]

    /// Writes the attempts of `campaignID` (of all campaigns when nil) to `handle` in `format`,
    /// one attempt at a time, in the order recorded. Returns how many attempts were written.
    @discardableResult
    public func export(campaignID: String?, format: JournalExportFormat, to handle: FileHandle) throws -> Int {
        var output = BufferedOutput(handle: handle)
        var written = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch format {
        case .csv:
            output.append(CSV.row(Self.csvColumns))
        case .json:
            output.append("[")
        }
        try forEachAttempt(campaignID: campaignID) { attempt in
            switch format {
            case .csv:
                output.append(CSV.row(try Self.csvFields(attempt, encoder: encoder)))
            case .json:
                output.append(written == 0 ? "\n" : ",\n")
                output.append(String(decoding: try encoder.encode(attempt), as: UTF8.self))
            }
            written += 1
            try output.flushIfFull()
        }
        if format == .json {
            output.append(written == 0 ? "]\n" : "\n]\n")
        }
        try output.flush()
        return written
    }

    private static func csvFields(_ attempt: StowAttemptRecord, encoder: JSONEncoder) throws -> [String] {
        let durationSeconds = Double(attempt.endNanoseconds &- attempt.startNanoseconds) / 1e9
        return [
            attempt.campaignID, String(attempt.attemptIndex), attempt.itemID, attempt.itemKind, attempt.binName ?? "",
            attempt.outcome.rawValue, attempt.cause, String(attempt.startNanoseconds), String(attempt.endNanoseconds),
            String(format: "%.3f", durationSeconds), String(attempt.retries), attempt.exploration ? "1" : "0",
            String(decoding: try encoder.encode(attempt.binsTried), as: UTF8.self),
            String(decoding: try encoder.encode(attempt.faults), as: UTF8.self),
            String(decoding: try encoder.encode(attempt.phases), as: UTF8.self),
        ]
    }
}

/// RFC 4180 rows.
enum CSV {
    /// One record with its CRLF.
    static func row(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    /// The field as it is when it needs no quotes, else in double quotes with its quotes doubled.
    static func quoted(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Collects text and writes it to a file handle in blocks, so an export is not one write per row.
private struct BufferedOutput {
    let handle: FileHandle
    var buffer = Data()
    static let blockBytes = 64 * 1024

    init(handle: FileHandle) {
        self.handle = handle
    }

    mutating func append(_ text: String) {
        buffer.append(contentsOf: Array(text.utf8))
    }

    mutating func flushIfFull() throws {
        if buffer.count >= Self.blockBytes { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
