import Control
import Foundation

/// The outcome table of a campaign in the paper's terms, beside the published figures, for a
/// terminal: aligned plain text that fits 80 columns, colour only on a colour terminal.
///
///     print(CampaignTable.render(result), terminator: "")
public enum CampaignTable {
    /// The table as text ending in a newline; colour when stdout is a terminal and `NO_COLOR`
    /// is not set (https://no-color.org is the convention, not a dependency).
    public static func render(_ result: CampaignResult) -> String {
        render(result, colour: standardOutputWantsColour)
    }

    /// The table as text ending in a newline; `colour: false` gives plain ASCII columns.
    public static func render(_ result: CampaignResult, colour: Bool) -> String {
        let breakdown = CampaignBreakdown(result)
        var lines: [String] = []
        lines += headerLines(result, breakdown)
        lines.append("")
        lines += outcomeLines(result, breakdown, colour: colour)
        lines.append("")
        lines += phaseLines(breakdown, colour: colour)
        lines.append("")
        lines += effortLines(result, breakdown, colour: colour)
        lines.append("")
        lines += faultLines(breakdown, colour: colour)
        lines.append("")
        lines += causeLines(breakdown, colour: colour)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether stdout is a terminal and the user has not asked for no colour (`NO_COLOR`).
    public static var standardOutputWantsColour: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    /// Widest a cause line may be before it wraps.
    static let lineWidth = 80

    private static func headerLines(_ result: CampaignResult, _ breakdown: CampaignBreakdown) -> [String] {
        var lines = [
            "Stow campaign \(terminalSafe(result.campaignID))",
            "world \(terminalSafe(result.world)), seed \(result.seed), config \(terminalSafe(result.configFile))",
        ]
        if result.resumedFrom > 0 {
            lines.append("Resumed: \(ReportNumberFormat.grouped(result.resumedFrom)) attempts were already in the journal.")
        } else {
            lines.append("Not resumed: every attempt ran in this run.")
        }
        let simulated = ReportNumberFormat.duration(seconds: result.simulatedSeconds)
        let wall = ReportNumberFormat.duration(seconds: result.wallSeconds)
        if let ratio = breakdown.virtualToWallRatio {
            lines.append("Time: \(simulated) simulated in \(wall) wall, "
                + "\(ReportNumberFormat.fixed(ratio, decimals: 1))x real time (virtual to wall).")
        } else {
            lines.append("Time: \(simulated) simulated; wall time not measured.")
        }
        return lines
    }

    private static func outcomeLines(_ result: CampaignResult, _ breakdown: CampaignBreakdown, colour: Bool) -> [String] {
        var table = TextColumns([.left, .right, .right, .right, .right])
        table.add(["Outcome", "count", "ours", "paper", "difference"], emphasis: .heading)
        table.add(["attempts", ReportNumberFormat.grouped(result.attempts), "",
                   ReportNumberFormat.grouped(PaperReference.attempts), ""])
        for row in breakdown.outcomes {
            let higherIsBetter = row.outcome == .success
            table.add(cells: [
                .init(text: row.outcome.rawValue),
                .init(text: ReportNumberFormat.grouped(row.count)),
                .init(text: ReportNumberFormat.percent(row.percent)),
                .init(text: ReportNumberFormat.percent(row.paperPercent, decimals: 1)),
                .init(text: ReportNumberFormat.signed(row.deltaPercentagePoints, decimals: 2) + " pp",
                      emphasis: emphasis(delta: row.deltaPercentagePoints, decimals: 2, higherIsBetter: higherIsBetter)),
            ])
        }
        let uphDelta = result.unitsPerHour - PaperReference.unitsPerHour
        table.add(cells: [
            .init(text: "units/hour (simulated)"),
            .init(text: ""),
            .init(text: ReportNumberFormat.fixed(result.unitsPerHour, decimals: 1)),
            .init(text: ReportNumberFormat.fixed(PaperReference.unitsPerHour, decimals: 1)),
            .init(text: ReportNumberFormat.signed(uphDelta, decimals: 1) + " u/h",
                  emphasis: emphasis(delta: uphDelta, decimals: 1, higherIsBetter: true)),
        ])
        return table.lines(colour: colour) + ["paper: \(PaperReference.citation)"]
    }

    private static func phaseLines(_ breakdown: CampaignBreakdown, colour: Bool) -> [String] {
        var table = TextColumns([.left, .right, .right, .right])
        table.add(["Phase (simulated time)", "total s", "mean s/attempt", "share"], emphasis: .heading)
        if breakdown.phases.isEmpty {
            return table.lines(colour: colour) + ["no phase times recorded"]
        }
        for row in breakdown.phases {
            table.add([
                terminalSafe(row.phase),
                ReportNumberFormat.fixed(row.totalSeconds, decimals: 1),
                ReportNumberFormat.fixed(row.meanSecondsPerAttempt, decimals: 3),
                ReportNumberFormat.percent(row.sharePercent, decimals: 1),
            ])
        }
        let meanTotal = breakdown.phases.reduce(0) { $0 + $1.meanSecondsPerAttempt }
        table.add([
            "all phases",
            ReportNumberFormat.fixed(breakdown.totalPhaseSeconds, decimals: 1),
            ReportNumberFormat.fixed(meanTotal, decimals: 3),
            ReportNumberFormat.percent(breakdown.totalPhaseSeconds > 0 ? 100 : 0, decimals: 1),
        ])
        return table.lines(colour: colour)
    }

    private static func effortLines(_ result: CampaignResult, _ breakdown: CampaignBreakdown, colour: Bool) -> [String] {
        let retriesPerAttempt = ReportNumberFormat.fixed(breakdown.retriesPerAttempt, decimals: 3)
        let explorationShare = ReportNumberFormat.percent(breakdown.explorationPercent)
        var table = TextColumns([.left, .right, .left])
        table.add(cells: [
            .init(text: "Retries", emphasis: .heading),
            .init(text: ReportNumberFormat.grouped(result.retries)),
            .init(text: "bins tried after the first (\(retriesPerAttempt) per attempt)"),
        ])
        table.add(cells: [
            .init(text: "Exploration", emphasis: .heading),
            .init(text: ReportNumberFormat.grouped(result.explorationCount)),
            .init(text: "attempts with relaxed margins or another behaviour (\(explorationShare))"),
        ])
        return table.lines(colour: colour)
    }

    private static func faultLines(_ breakdown: CampaignBreakdown, colour: Bool) -> [String] {
        var table = TextColumns([.left, .right, .right])
        table.add(["Faults by kind", "count", "of attempts"], emphasis: .heading)
        if breakdown.faults.isEmpty {
            return table.lines(colour: colour) + ["no faults latched"]
        }
        for row in breakdown.faults {
            table.add([terminalSafe(row.name), ReportNumberFormat.grouped(row.count), ReportNumberFormat.percent(row.percentOfAttempts)])
        }
        return table.lines(colour: colour)
    }

    /// Count and share first, then the cause, wrapped under itself: causes can be long
    /// (`jam: belt current 1700 mA > 1600 mA`) and every one of them is shown.
    private static func causeLines(_ breakdown: CampaignBreakdown, colour: Bool) -> [String] {
        let heading = "Causes of non-success (\(ReportNumberFormat.grouped(breakdown.nonSuccessCount)) attempts), by count"
        var lines = [colour ? TextColumns.Emphasis.heading.ansiStart + heading + "\u{1B}[0m" : heading]
        if breakdown.causes.isEmpty {
            lines.append("none recorded")
            return lines
        }
        let countWidth = breakdown.causes.map { ReportNumberFormat.grouped($0.count).count }.max() ?? 1
        let shareWidth = breakdown.causes.map { ReportNumberFormat.percent($0.percentOfAttempts).count }.max() ?? 1
        let indent = countWidth + 2 + shareWidth + 2
        for row in breakdown.causes {
            let count = ReportNumberFormat.grouped(row.count)
            let share = ReportNumberFormat.percent(row.percentOfAttempts)
            let prefix = String(repeating: " ", count: countWidth - count.count) + count + "  "
                + String(repeating: " ", count: shareWidth - share.count) + share + "  "
            let wrapped = wrapWords(terminalSafe(row.name), width: lineWidth - indent)
            for (index, piece) in wrapped.enumerated() {
                lines.append((index == 0 ? prefix : String(repeating: " ", count: indent)) + piece)
            }
        }
        return lines
    }

    /// Green when ours is better than the paper's, red when worse, plain when equal as printed.
    private static func emphasis(delta: Double, decimals: Int, higherIsBetter: Bool) -> TextColumns.Emphasis {
        let shown = ReportNumberFormat.fixed(delta.magnitude, decimals: decimals)
        if shown.allSatisfy({ $0 == "0" || $0 == "." }) { return .none }
        return (delta > 0) == higherIsBetter ? .better : .worse
    }
}
