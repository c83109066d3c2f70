import Control

/// One self-contained HTML file for a campaign: charts (outcome shares beside the paper's,
/// phase times, control-loop lateness) and the tables. No script, no external font, style sheet
/// or image: it opens from disk in any browser with no network. Every text from the run is
/// escaped.
///
///     try CampaignHTMLReport.write(result, to: "campaign.html")
public enum CampaignHTMLReport {
    /// Writes the report to `path` atomically (temporary file, then rename).
    /// The error names the path and the system call that failed.
    public static func write(_ result: CampaignResult, to path: String) throws(ReportWriteError) {
        try AtomicFileWriter.write(render(result), to: path)
    }

    /// The whole document.
    public static func render(_ result: CampaignResult) -> String {
        let breakdown = CampaignBreakdown(result)
        let title = "Stow campaign \(result.campaignID)"
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(htmlEscaped(title))</title>
            <style>\(styleSheet)</style>
            </head>
            <body>
            <h1>\(htmlEscaped(title))</h1>

            """
        html += summary(result, breakdown)
        html += outcomeSection(result, breakdown)
        html += phaseSection(breakdown)
        html += latenessSection(breakdown)
        html += effortSection(result, breakdown)
        html += causeSection(breakdown)
        html += "<footer>Paper: \(htmlEscaped(PaperReference.citation)). Written by stowctl.</footer>\n"
        html += "</body>\n</html>\n"
        return html
    }

    private static let styleSheet = """

        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; margin: 0.5em 0; }
        th, td { padding: 0.2em 0.8em; border-bottom: 1px solid #eee; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        td.text { text-align: left; }
        .better { color: #1a7f37; } .worse { color: #b42318; }
        svg.chart { display: block; margin: 0.5em 0; max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
        .meta { color: #555; } footer { margin-top: 3em; color: #777; font-size: 0.9em; }

        """

    private static func summary(_ result: CampaignResult, _ breakdown: CampaignBreakdown) -> String {
        var lines: [String] = []
        lines.append("world <b>\(htmlEscaped(result.world))</b>, seed <b>\(result.seed)</b>, "
            + "config <code>\(htmlEscaped(result.configFile))</code>")
        lines.append(result.resumedFrom > 0
            ? "Resumed: \(ReportNumberFormat.grouped(result.resumedFrom)) attempts were already in the journal."
            : "Not resumed: every attempt ran in this run.")
        var time = "\(ReportNumberFormat.duration(seconds: result.simulatedSeconds)) simulated"
        if let ratio = breakdown.virtualToWallRatio {
            time += " in \(ReportNumberFormat.duration(seconds: result.wallSeconds)) wall, "
                + "\(ReportNumberFormat.fixed(ratio, decimals: 1))× real time"
        }
        lines.append(time + ".")
        return lines.map { "<p class=\"meta\">\($0)</p>\n" }.joined()
    }

    private static func outcomeSection(_ result: CampaignResult, _ breakdown: CampaignBreakdown) -> String {
        let groups = breakdown.outcomes.map { row in
            SVGBarChart.Group(name: row.outcome.rawValue, bars: [
                .init(series: 0, value: row.percent, label: ReportNumberFormat.percent(row.percent)),
                .init(series: 1, value: row.paperPercent, label: ReportNumberFormat.percent(row.paperPercent, decimals: 1)),
            ])
        }
        var html = "<section>\n<h2>Outcomes</h2>\n"
        html += SVGBarChart.horizontal(title: "Outcome shares, this campaign beside the paper",
                                       seriesNames: ["this campaign", "paper"], groups: groups)
        var rows: [[Cell]] = [[
            .text("attempts"), .text(ReportNumberFormat.grouped(result.attempts)), .text(""),
            .text(ReportNumberFormat.grouped(PaperReference.attempts)), .text(""),
        ]]
        for row in breakdown.outcomes {
            rows.append([
                .text(row.outcome.rawValue), .text(ReportNumberFormat.grouped(row.count)),
                .text(ReportNumberFormat.percent(row.percent)), .text(ReportNumberFormat.percent(row.paperPercent, decimals: 1)),
                .delta(row.deltaPercentagePoints, unit: "pp", higherIsBetter: row.outcome == .success),
            ])
        }
        rows.append([
            .text("units/hour (simulated)"), .text(""), .text(ReportNumberFormat.fixed(result.unitsPerHour, decimals: 1)),
            .text(ReportNumberFormat.fixed(PaperReference.unitsPerHour, decimals: 1)),
            .delta(result.unitsPerHour - PaperReference.unitsPerHour, unit: "u/h", higherIsBetter: true),
        ])
        html += table(headers: ["outcome", "count", "this campaign", "paper", "difference"], rows: rows)
        return html + "</section>\n"
    }

    private static func phaseSection(_ breakdown: CampaignBreakdown) -> String {
        var html = "<section>\n<h2>Time per phase (simulated)</h2>\n"
        guard !breakdown.phases.isEmpty else { return html + "<p>No phase times recorded.</p>\n</section>\n" }
        let groups = breakdown.phases.map { row in
            SVGBarChart.Group(name: row.phase, bars: [
                .init(series: 0, value: row.meanSecondsPerAttempt,
                      label: ReportNumberFormat.fixed(row.meanSecondsPerAttempt, decimals: 3) + " s"),
            ])
        }
        html += SVGBarChart.horizontal(
            title: "Mean simulated seconds per attempt, by phase", seriesNames: ["mean s/attempt"], groups: groups)
        let rows: [[Cell]] = breakdown.phases.map { row in
            [.text(row.phase), .text(ReportNumberFormat.fixed(row.totalSeconds, decimals: 1)),
             .text(ReportNumberFormat.fixed(row.meanSecondsPerAttempt, decimals: 3)),
             .text(ReportNumberFormat.percent(row.sharePercent, decimals: 1))]
        }
        html += table(headers: ["phase", "total s", "mean s/attempt", "share"], rows: rows)
        return html + "</section>\n"
    }

    private static func latenessSection(_ breakdown: CampaignBreakdown) -> String {
        var html = "<section>\n<h2>Control-loop lateness</h2>\n"
        let buckets = breakdown.lateness
        guard !buckets.isEmpty else { return html + "<p>No lateness histogram recorded.</p>\n</section>\n" }
        let counts = buckets.map(\.count)
        let positive = counts.filter { $0 > 0 }
        // Log scale once the tallest bar would hide the shortest non-empty one.
        let logScale = (positive.max() ?? 0) > 50 * (positive.min() ?? 1)
        let labels = buckets.map { bucketLabel($0.upperBoundMicroseconds) }
        html += SVGBarChart.histogram(
            title: "Control-loop wake-up lateness", bucketLabels: labels, counts: counts, logScale: logScale)
        if logScale {
            html += "<p class=\"meta\">Bar heights are log-scaled; the numbers on the bars are the counts.</p>\n"
        }
        let rows: [[Cell]] = buckets.map {
            [.text("≤ " + bucketLabel($0.upperBoundMicroseconds)), .text(ReportNumberFormat.grouped($0.count))]
        }
        html += table(headers: ["lateness (µs)", "wake-ups"], rows: rows)
        return html + "</section>\n"
    }

    private static func effortSection(_ result: CampaignResult, _ breakdown: CampaignBreakdown) -> String {
        var html = "<section>\n<h2>Retries, exploration and faults</h2>\n"
        html += table(headers: ["", "count", "per attempt"], rows: [
            [.text("retries (bins tried after the first)"), .text(ReportNumberFormat.grouped(result.retries)),
             .text(ReportNumberFormat.fixed(breakdown.retriesPerAttempt, decimals: 3))],
            [.text("exploration attempts"), .text(ReportNumberFormat.grouped(result.explorationCount)),
             .text(ReportNumberFormat.percent(breakdown.explorationPercent))],
        ])
        if breakdown.faults.isEmpty {
            html += "<p>No faults latched.</p>\n"
        } else {
            html += table(headers: ["fault kind", "count", "of attempts"], rows: breakdown.faults.map {
                [.text($0.name), .text(ReportNumberFormat.grouped($0.count)), .text(ReportNumberFormat.percent($0.percentOfAttempts))]
            })
        }
        return html + "</section>\n"
    }

    private static func causeSection(_ breakdown: CampaignBreakdown) -> String {
        var html = "<section>\n<h2>Causes of non-success (\(ReportNumberFormat.grouped(breakdown.nonSuccessCount)) attempts)</h2>\n"
        guard !breakdown.causes.isEmpty else { return html + "<p>None recorded.</p>\n</section>\n" }
        html += table(headers: ["cause", "count", "of attempts"], rows: breakdown.causes.map {
            [.wideText($0.name), .text(ReportNumberFormat.grouped($0.count)), .text(ReportNumberFormat.percent($0.percentOfAttempts))]
        })
        return html + "</section>\n"
    }

    /// A table cell: the content is escaped when the row is written.
    private enum Cell {
        case text(String)
        /// Left-aligned even outside the first column.
        case wideText(String)
        /// A difference from the paper, coloured by whether it is better.
        case delta(Double, unit: String, higherIsBetter: Bool)
    }

    private static func table(headers: [String], rows: [[Cell]]) -> String {
        var html = "<table>\n<thead><tr>" + headers.map { "<th>\(htmlEscaped($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>" + row.map(cellHTML).joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    private static func cellHTML(_ cell: Cell) -> String {
        switch cell {
        case .text(let text):
            return "<td>\(htmlEscaped(text))</td>"
        case .wideText(let text):
            return "<td class=\"text\">\(htmlEscaped(text))</td>"
        case .delta(let value, let unit, let higherIsBetter):
            let shown = ReportNumberFormat.signed(value, decimals: 2)
            let isZero = shown.dropFirst().allSatisfy { $0 == "0" || $0 == "." }
            let cssClass = isZero ? "" : ((value > 0) == higherIsBetter ? " class=\"better\"" : " class=\"worse\"")
            return "<td\(cssClass)>\(htmlEscaped(shown + " " + unit))</td>"
        }
    }

    /// `250`, `12.5`, or `inf` for an open last bucket.
    private static func bucketLabel(_ microseconds: Double) -> String {
        guard microseconds.isFinite else { return "inf" }
        return microseconds == microseconds.rounded() && microseconds.magnitude < 1e15
            ? ReportNumberFormat.grouped(Int(microseconds))
            : ReportNumberFormat.fixed(microseconds, decimals: 1)
    }
}
