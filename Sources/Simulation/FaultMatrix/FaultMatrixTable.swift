import Control

/// The fault matrix as text: one row per fault, one column per stow state. A safe-stop cell shows
/// the milliseconds from onset to safe outputs with quick stop; a tolerated cell shows `tol`;
/// a bad cell shows `FAIL` (`KNOWN` for a listed known issue), every problem listed under the table.
public enum FaultMatrixTable {
    public static func render(_ cells: [FaultCellResult], cases: [FaultMatrixCase] = FaultMatrixCase.all,
                              states: [StowState] = FaultMatrixCase.states, wallSeconds: Double? = nil) -> String {
        let labelWidth = max(5, cases.map { $0.fault.count }.max() ?? 0) + 2
        let headers = states.map(shortName)
        let width = max(8, (headers.map(\.count).max() ?? 0) + 2)
        var lines: [String] = []
        lines.append(pad("fault", labelWidth) + headers.map { pad($0, width) }.joined() + "reaction")
        for faultCase in cases {
            var line = pad(faultCase.fault, labelWidth)
            for state in states {
                let cell = cells.first { $0.fault == faultCase.fault && $0.state == state }
                line += pad(cell.map(text) ?? "-", width)
            }
            line += reactionName(faultCase.reaction)
            lines.append(line)
        }
        let bad = cells.filter { !$0.passed }
        lines.append("")
        let known = bad.filter { FaultMatrixKnownIssue.find($0.fault, $0.state) != nil }.count
        lines.append("cells: \(cells.count), passed: \(cells.count - bad.count), failed: \(bad.count)"
            + (known > 0 ? " (\(known) known issue\(known == 1 ? "" : "s"))" : "")
            + (wallSeconds.map { ", \(String(format1: $0)) s wall" } ?? ""))
        lines.append("safe-stop cells: ms from the fault's onset to safe outputs with quick stop on every drive "
            + "(budget: detection allowance + 2 control periods); tol: tolerated as specified")
        for cell in bad {
            let known = FaultMatrixKnownIssue.find(cell.fault, cell.state).map { " [known issue: \($0.note)]" } ?? ""
            lines.append("FAIL \(cell.fault) in \(cell.state.rawValue): " + cell.problems.joined(separator: "; ") + known)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ cell: FaultCellResult) -> String {
        guard cell.passed else { return FaultMatrixKnownIssue.find(cell.fault, cell.state) == nil ? "FAIL" : "KNOWN" }
        guard let safe = cell.onsetToSafeNanoseconds else { return "tol" }
        return String(format1: Double(safe) / 1e6)
    }

    static func reactionName(_ reaction: FaultReaction) -> String {
        switch reaction {
        case let .safeStop(kinds, _, allowance):
            return "safe stop: " + kinds.map(\.rawValue).joined(separator: "/") + " (detect: \(allowance))"
        case let .tolerated(record):
            return "tolerated (trace: \(record))"
        case let .toleratedUntilItsDriveFaults(_, _, errorCode):
            return "tolerated, or safe stop: drive-fault once the drive faults itself (0x\(String(errorCode, radix: 16)))"
        }
    }

    static func shortName(_ state: StowState) -> String {
        switch state {
        case .awaitItem: return "await"
        case .selectBin: return "select"
        case .separateBands: return "bands"
        case .makeSpace: return "space"
        case .backOff: return "back_off"
        case .safeHold: return "hold"
        default: return state.rawValue
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

extension String {
    /// One decimal: `12.3`.
    init(format1 value: Double) {
        let tenths = (value * 10).rounded()
        self = "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)"
    }
}
