/// Aligned plain-text columns for the terminal table, with optional ANSI emphasis applied after
/// padding (escape codes have no width, so they must not take part in the alignment).
struct TextColumns {
    enum Alignment { case left, right }

    /// How a cell is emphasised on a colour terminal; ignored without colour.
    enum Emphasis {
        case none, heading, better, worse

        var ansiStart: String {
            switch self {
            case .none: return ""
            case .heading: return "\u{1B}[1m"
            case .better: return "\u{1B}[32m"
            case .worse: return "\u{1B}[31m"
            }
        }
    }

    struct Cell {
        var text: String
        var emphasis: Emphasis = .none
    }

    var alignments: [Alignment]
    var rows: [[Cell]] = []
    /// Spaces between columns.
    var gapWidth = 2

    init(_ alignments: [Alignment]) {
        self.alignments = alignments
    }

    mutating func add(_ texts: [String], emphasis: Emphasis = .none) {
        rows.append(texts.map { Cell(text: $0, emphasis: emphasis) })
    }

    mutating func add(cells: [Cell]) {
        rows.append(cells)
    }

    /// The rows as lines, each column as wide as its widest cell; trailing spaces trimmed.
    func lines(colour: Bool) -> [String] {
        var widths = [Int](repeating: 0, count: alignments.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.text.count)
            }
        }
        let gap = String(repeating: " ", count: gapWidth)
        return rows.map { row in
            var line = ""
            for (column, cell) in row.enumerated() where column < widths.count {
                let padding = String(repeating: " ", count: widths[column] - cell.text.count)
                let styled = colour && cell.emphasis != .none
                    ? cell.emphasis.ansiStart + cell.text + "\u{1B}[0m"
                    : cell.text
                if column > 0 { line += gap }
                line += alignments[column] == .left ? styled + padding : padding + styled
            }
            return trimmingTrailingSpaces(line)
        }
    }

    private func trimmingTrailingSpaces(_ line: String) -> String {
        var trimmed = line
        while trimmed.hasSuffix(" ") { trimmed.removeLast() }
        return trimmed
    }
}

/// Breaks `text` into lines of at most `width` characters at spaces; a word longer than the
/// width is cut. Used for long cause strings so the table stays readable at 80 columns.
func wrapWords(_ text: String, width: Int) -> [String] {
    let width = max(width, 8)
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        var word = String(word)
        while word.count > width {
            if !current.isEmpty { lines.append(current); current = "" }
            lines.append(String(word.prefix(width)))
            word = String(word.dropFirst(width))
        }
        if current.isEmpty {
            current = word
        } else if current.count + 1 + word.count <= width {
            current += " " + word
        } else {
            lines.append(current)
            current = word
        }
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
}

/// Text from the run (causes, fault kinds, ids) with control characters replaced by `?`, so a
/// stray escape sequence in a cause string cannot repaint the user's terminal.
func terminalSafe(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
        scalar.properties.generalCategory == .control ? "?" : scalar
    }))
}
