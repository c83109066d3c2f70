/// Checks that span sections: lines used twice, unit ids shared on a bus, references to names
/// that do not exist, and rates that cannot be met.
///
/// Each check runs when the sections it needs were read, even if others had errors, so a file's
/// problems are reported in one pass.
struct CrossChecks {
    let sections: ConfigSections
    let reader: ConfigReader

    func run() {
        checkLinesUsedOnce()
        checkDriveReferences()
        checkUnitIDsUnique()
        checkBusPollRates()
        checkLoopRates()
        checkDeadmanTimes()
        checkForceLimits()
    }

    /// Two signals on one line would fight (output) or lie (input).
    private func checkLinesUsedOnce() {
        guard let gpio = sections.gpio else { return }
        var firstUse: [LineReference: (signal: String, at: SourceLocation)] = [:]
        let all = gpio.inputs.map { ($0.name, $0.line, $0.location, "inputs") }
            + gpio.outputs.map { ($0.name, $0.line, $0.location, "outputs") }
        for (name, line, location, section) in all.sorted(by: { ($0.2.line, $0.2.column) < ($1.2.line, $1.2.column) }) {
            if let first = firstUse[line] {
                report(location, "gpio.\(section).\(name).line", "line \(line) is already used by '\(first.signal)' (line \(first.at.line))",
                       hint: "each GPIO line carries one signal")
            } else {
                firstUse[line] = (name, location)
            }
        }
    }

    private func checkDriveReferences() {
        guard let drives = sections.drives else { return }
        for drive in drives {
            if let busNames = sections.busNames, !busNames.contains(drive.bus) {
                report(drive.location, "drives.\(drive.role.rawValue).bus", "no bus named '\(drive.bus)'",
                       hint: "buses defined: \(busNames.joined(separator: ", "))")
            }
            if let profiles = sections.registerProfiles, !profiles.contains(where: { $0.name == drive.profile }) {
                report(drive.location, "drives.\(drive.role.rawValue).profile", "no register profile named '\(drive.profile)'",
                       hint: "known: \(profiles.map(\.name).joined(separator: ", "))")
            }
        }
    }

    private func checkUnitIDsUnique() {
        guard let drives = sections.drives else { return }
        var seen: [String: DriveConfig] = [:]
        for drive in drives {
            let key = "\(drive.bus)/\(drive.unit)"
            if let other = seen[key] {
                report(drive.location, "drives.\(drive.role.rawValue).unit",
                       "unit id \(drive.unit) on \(drive.bus) is already used by drive '\(other.role.rawValue)' (line \(other.location.line))",
                       hint: "every drive on a bus needs its own Modbus unit id")
            } else {
                seen[key] = drive
            }
        }
    }

    /// A bus cannot poll faster than its drives' traffic fits on the wire at its baud.
    private func checkBusPollRates() {
        guard let buses = sections.buses, let allDrives = sections.drives, let profiles = sections.registerProfiles else { return }
        for bus in buses {
            let drives = allDrives.filter { $0.bus == bus.name }
            guard !drives.isEmpty else { continue }
            let mapped = drives.compactMap { drive in profiles.first { $0.name == drive.profile }.map { (drive, $0) } }
            let cycleMS = BusTiming.cycleMS(bus: bus, drives: mapped)
            let periodMS = 1000 / bus.pollHz
            if cycleMS > periodMS {
                let maxHz = Int(1000 / cycleMS)
                report(bus.location, "buses.\(bus.name).poll_hz",
                       "\(format(bus.pollHz)) Hz is faster than \(bus.baud) baud allows for \(drives.count) drives "
                        + "(one cycle takes \(String(format2: cycleMS)) ms on the wire, the period is \(String(format2: periodMS)) ms)",
                       hint: "lower poll_hz to \(maxHz) or less, or raise the baud rate")
            }
            if let loops = sections.loops, bus.pollHz > loops.control.hz {
                report(bus.location, "buses.\(bus.name).poll_hz",
                       "\(format(bus.pollHz)) Hz is faster than the control loop (\(format(loops.control.hz)) Hz)",
                       hint: "feedback newer than one control tick is never used; lower poll_hz")
            }
        }
    }

    private func checkLoopRates() {
        guard let loops = sections.loops else { return }
        let control = loops.control
        for loop in [loops.perception, loops.console, loops.telemetry] where loop.hz > control.hz {
            report(nil, "loops.\(loop.name).hz", "\(format(loop.hz)) Hz is faster than the control loop (\(format(control.hz)) Hz)",
                   hint: "a side loop faster than control only adds load")
        }
        guard let safety = sections.safety else { return }
        let perceptionPeriodMS = loops.perception.periodMS
        if safety.perceptionMaxAgeMS < 2 * perceptionPeriodMS {
            report(nil, "safety.perception_max_age_ms",
                   "\(format(safety.perceptionMaxAgeMS)) ms is shorter than two perception periods (\(String(format2: 2 * perceptionPeriodMS)) ms)",
                   hint: "every observation would be stale; raise it or speed up loops.perception.hz")
        }
        if let bus = sections.buses?.min(by: { $0.pollHz < $1.pollHz }),
           safety.driveFeedbackMaxAgeMS < 2 * 1000 / bus.pollHz {
            report(nil, "safety.drive_feedback_max_age_ms",
                   "\(format(safety.driveFeedbackMaxAgeMS)) ms is shorter than two cycles of \(bus.name) (\(String(format2: 2000 / bus.pollHz)) ms)",
                   hint: "raise it or poll the bus faster")
        }
    }

    /// A dead-man time shorter than two control periods would trip on ordinary jitter.
    private func checkDeadmanTimes() {
        guard let gpio = sections.gpio, let loops = sections.loops else { return }
        let minimumMS = 2 * loops.control.periodMS
        for output in gpio.outputs {
            if let deadman = output.deadmanMS, deadman < minimumMS {
                report(output.location, "gpio.outputs.\(output.name).deadman_ms",
                       "\(format(deadman)) ms is shorter than two control periods (\(String(format2: minimumMS)) ms)",
                       hint: "raise it; the control loop refreshes outputs once per period")
            }
        }
        if let enable = gpio.output("eoat.drive-enable") {
            if enable.safeValue {
                report(enable.location, "gpio.outputs.eoat.drive-enable.safe", "the safe value of the drive enable must be false",
                       hint: "on any stop, STO must remove torque")
            }
            if enable.deadmanMS == nil {
                report(enable.location, "gpio.outputs.eoat.drive-enable.deadman_ms", "the drive enable needs a dead-man time",
                       hint: "if the control loop stops refreshing it, torque must go")
            }
        }
    }

    /// A phase force limit above the drive's own current limit could never trip.
    private func checkForceLimits() {
        guard let stow = sections.stow, let drives = sections.drives else { return }
        let checks: [(String, Double, [DriveRole])] = [
            ("grasp", stow.graspCurrentMA, [.jaw]),
            ("make_space", stow.makeSpaceCurrentMA, [.plank]),
            ("insert", stow.insertCurrentMA, [.leftBelt, .rightBelt]),
        ]
        for (phase, limit, roles) in checks {
            for role in roles {
                guard let drive = drives.first(where: { $0.role == role }), limit > drive.limits.maxCurrentMA else { continue }
                report(nil, "stow.force_limits_ma.\(phase)",
                       "\(format(limit)) mA is above the \(role.rawValue) drive's current limit (\(format(drive.limits.maxCurrentMA)) mA)",
                       hint: "the drive would cap the current first; lower it below drives.\(role.rawValue).limits.current_ma")
            }
        }
    }

    private func report(_ location: SourceLocation?, _ keyPath: String, _ message: String, hint: String = "") {
        // Point at the exact value when it was read; else at the section's key.
        let place = reader.location(of: keyPath) ?? location ?? SourceLocation(line: 0, column: 0)
        reader.append(ConfigDiagnostic(file: reader.file, line: place.line, column: place.column,
                                       keyPath: keyPath, message: message, hint: hint))
    }
}

extension String {
    init(format2 value: Double) {
        self = String((value * 100).rounded() / 100)
    }
}

/// The sections of a config that were read without errors; nil for those that were not.
struct ConfigSections {
    var gpio: GPIOConfig?
    var buses: [BusConfig]?
    /// Every bus key, including buses whose settings had errors, so references still resolve.
    var busNames: [String]?
    var registerProfiles: [RegisterProfileConfig]?
    var drives: [DriveConfig]?
    var loops: LoopConfig?
    var stow: StowConfig?
    var safety: SafetyConfig?
}
