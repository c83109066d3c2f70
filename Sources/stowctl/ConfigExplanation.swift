import Foundation
import Config

/// The text `explain-config` prints: the resolved robot, section by section.
struct ConfigExplanation {
    let config: RobotConfig

    func text() -> String {
        var out = ""
        out += "robot \(config.name) (backend \(config.backend.rawValue)) from \(config.file)\n\n"
        out += gpioSection()
        out += busSection()
        out += driveSection()
        out += loopSection()
        out += stowSection()
        out += safetySection()
        out += cameraSection()
        out += consoleSection()
        out += cellSection()
        out += simSection()
        return out
    }

    private func gpioSection() -> String {
        var rows: [[String]] = [["signal", "dir", "line", "active", "bias/drive", "safe", "dead-man", "debounce"]]
        for input in config.gpio.inputs {
            rows.append([input.name, "in", input.line.description, input.activeLow ? "low" : "high",
                         input.bias.rawValue, "-", "-", "\(format(input.debounceMS)) ms"])
        }
        for output in config.gpio.outputs {
            rows.append([output.name, "out", output.line.description, output.activeLow ? "low" : "high",
                         output.drive.rawValue, output.safeValue ? "on" : "off",
                         output.deadmanMS.map { "\(format($0)) ms" } ?? "-", "-"])
        }
        let chip = config.gpio.chip.map(\.description) ?? "simulated"
        return "GPIO (chip: \(chip))\n" + table(rows) + "\n"
    }

    private func busSection() -> String {
        var out = ""
        for bus in config.buses {
            let drives = config.drives.filter { $0.bus == bus.name }
            let mapped = drives.compactMap { drive in config.registerProfile(named: drive.profile).map { (drive, $0) } }
            let cycle = BusTiming.cycleMS(bus: bus, drives: mapped)
            out += "bus \(bus.name): \(bus.port?.description ?? "simulated"), \(bus.baud) baud, "
                + "8\(bus.parity.rawValue.prefix(1).uppercased())\(bus.stopBits), \(bus.bitsPerCharacter) bits/char\n"
            out += "  poll \(format(bus.pollHz)) Hz (period \(format2(1000 / bus.pollHz)) ms; "
                + "one cycle of \(drives.count) drives takes \(format2(cycle)) ms on the wire, max \(cycle > 0 ? String(Int(1000 / cycle)) : "-") Hz)\n"
            out += "  response timeout \(format(bus.responseTimeoutMS)) ms, \(bus.retries) retr\(bus.retries == 1 ? "y" : "ies"), "
                + "drive turnaround \(format(bus.driveTurnaroundMS)) ms, inter-frame gap \(format2(BusTiming.interFrameGapMS(bus: bus))) ms\n"
            if let rs485 = bus.rs485 {
                out += "  RS-485 kernel mode: RTS on send \(rs485.rtsOnSend), delays \(format(rs485.delayBeforeSendMS))/\(format(rs485.delayAfterSendMS)) ms\n"
            }
        }
        return out + "\n"
    }

    private func driveSection() -> String {
        var out = ""
        for drive in config.drives {
            out += "drive \(drive.role.rawValue) (\(drive.signalPrefix)): unit \(drive.unit), profile \(drive.profile)\n"
            out += "  scaling \(format(drive.countsPerMM)) counts/mm, rated current \(format(drive.ratedCurrentMA)) mA\n"
            let limits = drive.limits
            var limitText = "  limits speed \(format(limits.maxSpeedMMPerS)) mm/s, acceleration \(format(limits.maxAccelerationMMPerS2)) mm/s², "
                + "current \(format(limits.maxCurrentMA)) mA"
            if let travel = limits.travelMM {
                limitText += ", travel \(format(travel.lowerBound))...\(format(travel.upperBound)) mm"
            }
            out += limitText + "\n"
            if let profile = config.registerProfile(named: drive.profile) {
                let registers = CiA402ObjectName.allCases.compactMap { object -> String? in
                    guard let address = profile.addresses[object] else { return nil }
                    return "\(object.rawValue)=\(hex(address))\(object.registerCount == 2 ? "+1" : "")"
                }
                out += "  registers " + registers.joined(separator: " ") + "\n"
            }
        }
        return out + "\n"
    }

    private func loopSection() -> String {
        var out = "loops\n"
        for loop in config.loops.all {
            out += "  \(loop.name): \(format(loop.hz)) Hz (\(format2(loop.periodMS)) ms) on \(loop.executor.rawValue), overrun \(loop.overrun.rawValue)"
            out += loop.overrun == .fault ? " after \(loop.overrunLimit)\n" : "\n"
        }
        out += "  control thread: SCHED_FIFO priority \(config.loops.realtimePriority), cpu \(config.loops.controlCPU.map(String.init) ?? "any")\n"
        return out + "\n"
    }

    private func stowSection() -> String {
        let stow = config.stow
        var out = "stow\n  timeouts"
        for phase in StowPhase.allCases {
            out += " \(phase.rawValue)=\(format(stow.timeoutsMS[phase] ?? 0))ms"
        }
        out += "\n  force limits grasp \(format(stow.graspCurrentMA)) mA, make_space \(format(stow.makeSpaceCurrentMA)) mA, insert \(format(stow.insertCurrentMA)) mA\n"
        out += "  speeds jaw \(format(stow.jawSpeedMMPerS)) mm/s, plank \(format(stow.plankSpeedMMPerS)) mm/s, belts \(format(stow.beltSpeedMMPerS)) mm/s; plank sweep \(format(stow.plankSweepMM)) mm\n"
        out += "  clearance \(format(stow.clearanceWidthMM))/\(format(stow.clearanceHeightMM))/\(format(stow.clearanceDepthMM)) mm (w/h/d), "
            + "max bin retries \(stow.maxBinRetries), exploration at most \(format(stow.explorationShare * 100)) %\n"
        return out + "\n"
    }

    private func safetySection() -> String {
        let safety = config.safety
        var out = "safety\n  drive comm watchdog \(safety.driveCommWatchdogCycles) cycles, drive feedback max age \(format(safety.driveFeedbackMaxAgeMS)) ms, "
            + "perception max age \(format(safety.perceptionMaxAgeMS)) ms\n"
        if let watchdog = safety.linuxWatchdog {
            out += "  Linux watchdog \(watchdog.device), timeout \(watchdog.timeoutS) s\n"
        }
        return out + "\n"
    }

    private func cameraSection() -> String {
        let camera = config.camera
        var out = "camera: \(camera.source.rawValue)"
        if let directory = camera.replayDirectory { out += " from \(directory)" }
        out += ", \(camera.widthPX)x\(camera.heightPX) px at \(format(camera.rateHz)) Hz, "
            + "fx \(format(camera.fxPX)) fy \(format(camera.fyPX)) cx \(format(camera.cxPX)) cy \(format(camera.cyPX)) px\n\n"
        return out
    }

    private func consoleSection() -> String {
        let console = config.console
        return "console: \(console.port ?? "stdin/stdout only") at \(console.baud) baud; maintenance disarms after "
            + "\(format(console.maintenanceTimeoutS)) s, jog capped at \(format(console.jogSpeedShare * 100)) % of each drive's speed limit\n\n"
    }

    private func cellSection() -> String {
        guard let cell = config.cell else { return "" }
        return "cell link: \(cell.port) at \(cell.baud) baud 8N1; WHAT every \(format(cell.pollMS)) ms, "
            + "silent after \(format(cell.replyTimeoutMS)) ms without an answer (docs/cell-link.md)\n\n"
    }

    private func simSection() -> String {
        guard let sim = config.sim else { return "" }
        let pod = sim.pod
        return "sim: seed \(sim.seed), world \(sim.world.rawValue), arm move \(format(sim.armMoveMS)) ms, "
            + "camera noise \(format(sim.cameraNoiseMM)) mm, dropouts \(format(sim.cameraDropoutShare * 100)) %\n"
            + "  pod \(pod.rows)x\(pod.columns) bins of \(format(pod.binWidthMM))x\(format(pod.binHeightMM))x\(format(pod.binDepthMM)) mm (w/h/d), "
            + "\(pod.bandsPerBin) bands at \(format(pod.bandStiffnessNPerMM)) N/mm, initial fill \(format(pod.initialFillShare * 100)) %\n"
    }
}

/// A left-aligned text table with two spaces between columns.
func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    let widths = (0..<first.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingTrailingSpaces()
    }.joined(separator: "\n") + "\n"
}

func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

func format2(_ value: Double) -> String {
    String(format: "%.2f", value)
}

func hex(_ value: Int) -> String {
    "0x" + String(value, radix: 16, uppercase: true)
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.hasSuffix(" ") { copy.removeLast() }
        return copy
    }
}
