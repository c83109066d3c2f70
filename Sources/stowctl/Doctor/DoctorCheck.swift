import Foundation

/// One thing `stowctl doctor` (or `stowctl run` before it starts) looked at: what it found and,
/// when it is not right, what to do about it.
struct DoctorCheck: Equatable {
    enum Status: String {
        /// As a deployment needs it.
        case ok
        /// Works, but not as well as it should on a robot (a VM's clock source, a kernel without
        /// full preemption): the fix says what to change.
        case warn
        /// The controller cannot run like this.
        case fail
        /// Does not apply to this config (no GPIO chip on the simulator).
        case skip
    }

    /// `device`, `drive`, `realtime`, `clock`, `config`, `service`.
    var area: String
    /// What was checked: `gpio chip label eoat-io`, `bus0 port /dev/ttyUSB0`, `drive plank`.
    var name: String
    var status: Status
    /// What was found.
    var found: String
    /// What to do; empty when nothing needs doing.
    var fix: String = ""

    static func ok(_ area: String, _ name: String, _ found: String) -> DoctorCheck {
        DoctorCheck(area: area, name: name, status: .ok, found: found)
    }

    static func warn(_ area: String, _ name: String, _ found: String, fix: String) -> DoctorCheck {
        DoctorCheck(area: area, name: name, status: .warn, found: found, fix: fix)
    }

    static func fail(_ area: String, _ name: String, _ found: String, fix: String) -> DoctorCheck {
        DoctorCheck(area: area, name: name, status: .fail, found: found, fix: fix)
    }

    static func skip(_ area: String, _ name: String, _ why: String) -> DoctorCheck {
        DoctorCheck(area: area, name: name, status: .skip, found: why)
    }

    var jsonObject: [String: Any] {
        ["area": area, "name": name, "status": status.rawValue, "found": found, "fix": fix]
    }
}

/// The checks as a table: status, area, check, found; each fix on its own line below its check.
enum DoctorTable {
    static func render(_ checks: [DoctorCheck]) -> String {
        let nameWidth = min(34, checks.map(\.name.count).max() ?? 0)
        let areaWidth = checks.map(\.area.count).max() ?? 0
        var lines: [String] = []
        for check in checks {
            let status = check.status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0)
            let area = check.area.padding(toLength: areaWidth, withPad: " ", startingAt: 0)
            let name = check.name.count > nameWidth ? check.name : check.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            lines.append("\(status)  \(area)  \(name)  \(check.found)")
            if !check.fix.isEmpty, check.status == .fail || check.status == .warn {
                lines.append(String(repeating: " ", count: 6) + "fix: \(check.fix)")
            }
        }
        let failed = checks.filter { $0.status == .fail }.count
        let warned = checks.filter { $0.status == .warn }.count
        lines.append("")
        lines.append(failed == 0
            ? "ready to deploy: \(checks.filter { $0.status == .ok }.count) ok, \(warned) warning(s)"
            : "NOT ready: \(failed) check(s) failed, \(warned) warning(s); fix the failures above and rerun stowctl doctor")
        return lines.joined(separator: "\n")
    }
}
