import Foundation

/// Number formatting shared by the table, the HTML report and the progress bar. Independent of
/// the user's locale, so reports diff cleanly between machines.
enum ReportNumberFormat {
    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var groupedDigits = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { groupedDigits.append(",") }
            groupedDigits.append(digit)
        }
        return value < 0 ? "-" + groupedDigits : groupedDigits
    }

    /// Fixed decimals, with thousands grouped: `1234.5` → `1,234.5` (1 decimal).
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "inf" : "-inf") }
        let text = String(format: "%.\(decimals)f", value.magnitude)
        let parts = text.split(separator: ".", maxSplits: 1)
        let wholeDigits = String(parts[0])
        var result = ""
        for (index, digit) in wholeDigits.enumerated() {
            if index > 0 && (wholeDigits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        if parts.count == 2 { result += "." + parts[1] }
        let isZero = text.allSatisfy { $0 == "0" || $0 == "." }
        return value < 0 && !isZero ? "-" + result : result
    }

    /// Always signed, so a difference reads as one: `+0.21`, `-1.30`, `+0.00`.
    static func signed(_ value: Double, decimals: Int) -> String {
        let text = fixed(value, decimals: decimals)
        return text.hasPrefix("-") ? text : "+" + text
    }

    /// `86.12 %`.
    static func percent(_ value: Double, decimals: Int = 2) -> String {
        fixed(value, decimals: decimals) + " %"
    }

    /// Seconds as `2h03m11s`, `4m05s` or `12.3s`.
    static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "n/a" }
        if seconds < 60 { return fixed(seconds, decimals: 1) + "s" }
        let whole = Int(seconds.rounded(.down))
        let hours = whole / 3600, minutes = (whole % 3600) / 60, secs = whole % 60
        if hours > 0 { return "\(hours)h" + twoDigits(minutes) + "m" + twoDigits(secs) + "s" }
        return "\(minutes)m" + twoDigits(secs) + "s"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
