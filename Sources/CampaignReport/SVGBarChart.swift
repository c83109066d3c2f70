import Foundation

/// Bar charts as inline SVG, drawn here so the HTML report needs no script, font or network.
/// Every label is escaped; sizes are in SVG user units (CSS pixels at 100 % zoom).
enum SVGBarChart {
    /// One bar within a group: the series it belongs to and its value.
    struct Bar {
        var series: Int
        var value: Double
        /// Shown at the end of the bar, e.g. `86.1 %`.
        var label: String
    }

    struct Group {
        var name: String
        var bars: [Bar]
    }

    /// Bar fill colours by series: ours, then the reference.
    static let seriesColours = ["#2f6fb0", "#b0b0b0", "#d08a2e"]

    /// Horizontal bars, one group per row name, bars of a group stacked under each other.
    /// `seriesNames` label the legend; the longest bar spans the plot width.
    static func horizontal(title: String, seriesNames: [String], groups: [Group]) -> String {
        let nameWidth = 130.0, plotWidth = 420.0, labelWidth = 90.0
        let barHeight = 16.0, barGap = 3.0, groupGap = 12.0, legendHeight = seriesNames.count > 1 ? 24.0 : 0
        let maxValue = groups.flatMap(\.bars).map(\.value).filter(\.isFinite).max() ?? 0
        let barsPerGroup = Double(groups.map(\.bars.count).max() ?? 1)
        let groupHeight = barsPerGroup * barHeight + (barsPerGroup - 1) * barGap
        let height = legendHeight + Double(groups.count) * (groupHeight + groupGap) + groupGap
        let width = nameWidth + plotWidth + labelWidth

        var svg = open(title: title, width: width, height: height)
        svg += legend(seriesNames: seriesNames, x: nameWidth)
        var y = legendHeight + groupGap
        for group in groups {
            svg += text(group.name, x: nameWidth - 8, y: y + groupHeight / 2 + 4, anchor: "end")
            for (index, bar) in group.bars.enumerated() {
                let barY = y + Double(index) * (barHeight + barGap)
                let length = maxValue > 0 && bar.value.isFinite ? max(0, bar.value / maxValue * plotWidth) : 0
                svg += rect(x: nameWidth, y: barY, width: length, height: barHeight,
                            colour: colour(series: bar.series),
                            tooltip: "\(group.name), \(name(of: bar.series, in: seriesNames)): \(bar.label)")
                svg += text(bar.label, x: nameWidth + length + 4, y: barY + barHeight - 4, anchor: "start")
            }
            y += groupHeight + groupGap
        }
        return svg + "</svg>\n"
    }

    /// Vertical bars for a histogram, one per bucket, labelled below. With `logScale` the
    /// height is proportional to log10(count + 1), so a few late wake-ups remain visible beside
    /// millions of punctual ones.
    static func histogram(title: String, bucketLabels: [String], counts: [Int], logScale: Bool) -> String {
        let leftMargin = 50.0, plotHeight = 200.0, bottomMargin = 46.0, topMargin = 34.0
        let barWidth = max(8.0, min(40.0, 560.0 / Double(max(counts.count, 1)))), barGap = 4.0
        let width = leftMargin + Double(counts.count) * (barWidth + barGap) + 20
        let height = topMargin + plotHeight + bottomMargin
        let scaled = counts.map { logScale ? log10(Double($0) + 1) : Double($0) }
        let maxScaled = scaled.max() ?? 0

        var svg = open(title: title, width: max(width, 240), height: height)
        let baseline = topMargin + plotHeight
        svg += "<line x1=\"\(number(leftMargin))\" y1=\"\(number(baseline))\" x2=\"\(number(width - 10))\" "
            + "y2=\"\(number(baseline))\" stroke=\"#444\" stroke-width=\"1\"></line>\n"
        // Above the tallest bar's count label, which sits just over the plot.
        svg += text(logScale ? "wake-ups (log scale)" : "wake-ups", x: 4, y: 12, anchor: "start")
        for (index, count) in counts.enumerated() {
            let x = leftMargin + Double(index) * (barWidth + barGap)
            let barHeight = maxScaled > 0 ? scaled[index] / maxScaled * plotHeight : 0
            let label = index < bucketLabels.count ? bucketLabels[index] : ""
            svg += rect(x: x, y: baseline - barHeight, width: barWidth, height: barHeight,
                        colour: seriesColours[0], tooltip: "≤ \(label) µs: \(count)")
            svg += text(label, x: x + barWidth / 2, y: baseline + 14, anchor: "middle", size: 10)
            if count > 0 {
                svg += text(compactCount(count), x: x + barWidth / 2, y: baseline - barHeight - 3, anchor: "middle", size: 9)
            }
        }
        svg += text("wake-up lateness, upper bound of bucket (µs)", x: leftMargin, y: baseline + 36, anchor: "start")
        return svg + "</svg>\n"
    }

    private static func open(title: String, width: Double, height: Double) -> String {
        // No xmlns: inline SVG in HTML needs none, and the report must hold no URL at all.
        "<svg class=\"chart\" role=\"img\" aria-label=\"\(htmlEscaped(title))\" width=\"\(number(width))\" "
            + "height=\"\(number(height))\" viewBox=\"0 0 \(number(width)) \(number(height))\">\n"
            + "<title>\(htmlEscaped(title))</title>\n"
    }

    private static func legend(seriesNames: [String], x: Double) -> String {
        guard seriesNames.count > 1 else { return "" }
        var svg = ""
        var legendX = x
        for (index, name) in seriesNames.enumerated() {
            svg += rect(x: legendX, y: 4, width: 12, height: 12, colour: colour(series: index), tooltip: name)
            svg += text(name, x: legendX + 16, y: 14, anchor: "start")
            legendX += 24 + Double(name.count) * 7
        }
        return svg
    }

    private static func rect(x: Double, y: Double, width: Double, height: Double, colour: String, tooltip: String) -> String {
        "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(width))\" height=\"\(number(height))\" "
            + "fill=\"\(colour)\"><title>\(htmlEscaped(tooltip))</title></rect>\n"
    }

    private static func text(_ content: String, x: Double, y: Double, anchor: String, size: Int = 12) -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\">"
            + "\(htmlEscaped(content))</text>\n"
    }

    private static func colour(series: Int) -> String {
        seriesColours[min(max(series, 0), seriesColours.count - 1)]
    }

    private static func name(of series: Int, in names: [String]) -> String {
        series >= 0 && series < names.count ? names[series] : "series \(series)"
    }

    /// Coordinates to one decimal, with a `.` whatever the locale.
    private static func number(_ value: Double) -> String {
        String(format: "%.1f", value.isFinite ? value : 0)
    }

    /// `950`, `1.2k`, `12k`, `3.4M`: short enough to sit on top of a narrow bar.
    private static func compactCount(_ count: Int) -> String {
        if count < 1_000 { return "\(count)" }
        if count < 10_000 { return String(format: "%.1fk", Double(count) / 1_000) }
        if count < 1_000_000 { return String(format: "%.0fk", Double(count) / 1_000) }
        return String(format: "%.1fM", Double(count) / 1_000_000)
    }
}
