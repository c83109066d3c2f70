import Control
import Foundation
import Journal

/// The text form of `stowctl journal summary`: the outcome table beside the paper's figures.
enum JournalSummaryText {
    static func render(_ summary: JournalSummary, path: String) -> String {
        let scope = summary.campaignID.map { "campaign \($0)" } ?? "all campaigns (\(summary.campaigns))"
        var lines = ["\(path): \(scope), \(summary.attempts) attempt(s) over "
            + "\(duration(summary.spanSeconds)) of controller time"]
        lines.append("")
        lines.append(pad("outcome", 14) + padLeft("count", 9) + padLeft("%", 8) + padLeft("paper %", 9))
        for outcome in StowOutcome.allCases {
            lines.append(pad(outcome.rawValue, 14) + padLeft(String(summary.count(outcome)), 9)
                + padLeft(format1(summary.percent[outcome.rawValue] ?? 0), 8)
                + padLeft(format1(PaperReference.sharePercent[outcome] ?? 0), 9))
        }
        lines.append("")
        lines.append("units/hour    \(format1(summary.uph))  (paper: \(format1(PaperReference.unitsPerHour)))")
        let explorationPercent = summary.attempts == 0 ? 0 : 100 * Double(summary.exploration) / Double(summary.attempts)
        lines.append("retries       \(summary.retries)")
        lines.append("exploration   \(summary.exploration) (\(format1(explorationPercent)) %)")
        if !summary.causes.isEmpty {
            lines.append("")
            lines.append("causes of non-success:")
            for cause in summary.causes {
                lines.append(padLeft(String(cause.count), 8) + "  " + pad(cause.outcome ?? "", 13) + cause.cause)
            }
        }
        if !summary.faults.isEmpty {
            lines.append("")
            lines.append("faults:")
            for fault in summary.faults {
                lines.append(padLeft(String(fault.count), 8) + "  " + fault.cause)
            }
        }
        lines.append("")
        lines.append("paper: \(PaperReference.citation)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `1 h 02 min 05 s`, `4 min 10 s`, `12.5 s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return "\(format1(seconds)) s" }
        let whole = Int(seconds.rounded())
        let hours = whole / 3600, minutes = (whole % 3600) / 60, rest = whole % 60
        if hours > 0 { return String(format: "%d h %02d min %02d s", hours, minutes, rest) }
        return String(format: "%d min %02d s", minutes, rest)
    }

    private static func format1(_ value: Double) -> String { String(format: "%.1f", value) }
    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
    private static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
