import Config
import Control
import HAL

/// Carries out one parsed command against a `ConsoleTarget` and says what to print.
///
/// Reads come from snapshots; requests go through the target's bounded queue and are waited for
/// at most `replyTimeoutSeconds`, so every command answers within a bounded time. `watch`,
/// `mode` and `quit` need the session's terminal and are answered there.
public struct ConsoleCommandRunner {
    public let target: ConsoleTarget
    /// Longest wait for the control side to answer a request.
    public var replyTimeoutSeconds: Double

    public init(target: ConsoleTarget, replyTimeoutSeconds: Double = 5) {
        self.target = target
        self.replyTimeoutSeconds = replyTimeoutSeconds
    }

    /// The answer to `command`: text lines and the same facts as JSON, or an error saying what to do.
    public func run(_ command: ConsoleCommand) -> Result<ConsoleAnswer, ConsoleCommandError> {
        switch command {
        case let .help(topic): return help(topic)
        case .status: return .success(status())
        case let .showLoops(reset): return .success(showLoops(reset: reset))
        case .showPins: return .success(showPins())
        case .showDrives: return .success(showDrives())
        case .showBus: return .success(showBus())
        case .showFaults: return .success(showFaults())
        case .showConfig: return .success(showConfig())
        case let .get(signal): return get(signal)
        case let .log(level):
            target.setLogLevel(level)
            return .success(ConsoleAnswer(lines: ["log level \(level.rawValue)"], json: .object([("level", .string(level.rawValue))])))
        case let .journalLast(count):
            do {
                let lines = try target.journal(last: count)
                return .success(ConsoleAnswer(lines: lines, json: .object([("attempts", .array(lines.map(ConsoleJSON.string)))])))
            } catch let error as ConsoleCommandError {
                return .failure(error)
            } catch {
                return .failure(ConsoleCommandError("journal unreadable: \(error)"))
            }
        case .resetFaults: return request(.resetFaults)
        case .acknowledge: return request(.acknowledge)
        case .estop: return request(.estop)
        case .armMaintenance: return request(.armMaintenance)
        case .disarmMaintenance: return request(.disarmMaintenance)
        case let .set(signal, value): return request(.set(signal: signal, value: value))
        case let .jog(drive, velocity): return request(.jog(drive: drive, velocityMMPerS: velocity))
        case let .home(drive): return request(.home(drive: drive))
        case let .enable(drive): return request(.enable(drive: drive))
        case let .disable(drive): return request(.disable(drive: drive))
        case let .simFault(line): return simRequest(.simFault(line: line))
        case let .simFaultClear(kind): return simRequest(.simFaultClear(kind: kind))
        case .watch, .mode, .quit:
            return .failure(ConsoleCommandError("this command needs an interactive session"))
        }
    }

    /// One line for `watch TARGET` (a signal or a drive role), as text and JSON.
    public func watchLine(_ watched: String) -> ConsoleAnswer {
        let view = target.view()
        let seconds = String(format3(Double(view.time.nanoseconds) / 1e9))
        if let value = ConsoleSignals.value(of: watched, in: view.control) {
            return ConsoleAnswer(lines: ["t=\(seconds)s \(watched) \(value)"],
                                 json: .object([("t_s", .number(Double(view.time.nanoseconds) / 1e9)), ("signal", .string(watched)), ("value", .bool(value))]))
        }
        let report = view.drives.first { $0.name == watched }
        return ConsoleAnswer(lines: ["t=\(seconds)s " + (report.map(driveLine) ?? "\(watched): no report")],
                             json: report.map(driveJSON) ?? .null)
    }

    // MARK: - Private helpers

    private func help(_ topic: String?) -> Result<ConsoleAnswer, ConsoleCommandError> {
        guard let topic else {
            let width = ConsoleHelp.entries.map(\.usage.count).max() ?? 0
            let lines = ConsoleHelp.entries.map { $0.usage.padding(width) + "  " + $0.summary }
                + ["add --json to any command for one JSON line; `help COMMAND` for one command"]
            let json = ConsoleJSON.array(ConsoleHelp.entries.map { .object([("name", .string($0.name)), ("usage", .string($0.usage)), ("summary", .string($0.summary))]) })
            return .success(ConsoleAnswer(lines: lines, json: .object([("commands", json)])))
        }
        guard let entry = ConsoleHelp.entry(named: topic) else {
            return .failure(ConsoleCommandError("no command '\(topic)'; type `help` for the list"))
        }
        return .success(ConsoleAnswer(lines: ["usage: \(entry.usage)", entry.summary],
                                      json: .object([("name", .string(entry.name)), ("usage", .string(entry.usage)), ("summary", .string(entry.summary))])))
    }

    private func status() -> ConsoleAnswer {
        let view = target.view()
        let report = target.realtimeReport()
        let estop = view.control.inputs.estop
        var lines = [
            "mode        \(target.modeName) (\(target.config.name), \(target.config.file))",
            "time        \(format3(Double(view.time.nanoseconds) / 1e9)) s",
            "stow state  \(view.stowState)",
            "e-stop      \(estop ? "OPEN (pressed or wire broken)" : "clear")",
            "faults      \(view.control.faults.isEmpty ? "none" : "\(view.control.faults.count) latched (show faults)")",
            "maintenance \(maintenanceText(view.maintenance))",
        ]
        if !view.simFaults.isEmpty { lines.append("sim faults  \(view.simFaults.joined(separator: "; "))") }
        lines.append("real-time report:")
        lines += report.description.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        let json = ConsoleJSON.object([
            ("mode", .string(target.modeName)),
            ("time_s", .number(Double(view.time.nanoseconds) / 1e9)),
            ("stow_state", .string(view.stowState)),
            ("prompt_state", .string(view.promptState)),
            ("estop", .bool(estop)),
            ("faults", .array(view.control.faults.map(faultJSON))),
            ("maintenance", maintenanceJSON(view.maintenance)),
            ("sim_faults", .array(view.simFaults.map(ConsoleJSON.string))),
            ("realtime_report", .string(report.description)),
        ])
        return ConsoleAnswer(lines: lines, json: json)
    }

    private func showLoops(reset: Bool) -> ConsoleAnswer {
        let snapshots = target.loops.map { $0.statisticsSnapshot() }
        if reset { target.loops.forEach { $0.resetStatistics() } }
        var lines = ["loop          period_us   ticks  missed overruns  late_p99_us late_max_us  exec_p99_us exec_max_us"]
        for s in snapshots {
            lines.append(s.loopName.padding(12) + " " + [
                micro(s.periodNanoseconds).leftPad(10), String(s.ticks).leftPad(7), String(s.missedCycles).leftPad(7),
                String(s.overruns).leftPad(8), micro(s.lateness.p99Nanoseconds).leftPad(12), micro(s.lateness.maxNanoseconds).leftPad(11),
                executionMicro(s, s.execution.p99Nanoseconds).leftPad(12), executionMicro(s, s.execution.maxNanoseconds).leftPad(11),
            ].joined(separator: " "))
        }
        if snapshots.contains(where: { !$0.measuresExecution }) {
            lines.append("exec -: the loop does not measure its execution (the simulator's own step)")
        }
        if reset { lines.append("statistics reset (zeroed at each loop's next tick)") }
        let json = ConsoleJSON.array(snapshots.map { s in
            .object([
                ("name", .string(s.loopName)), ("period_us", .number(Double(s.periodNanoseconds) / 1000)),
                ("ticks", .int(s.ticks)), ("missed", .int(s.missedCycles)), ("overruns", .int(s.overruns)),
                ("lateness_p99_us", .number(Double(s.lateness.p99Nanoseconds) / 1000)),
                ("lateness_max_us", .number(Double(s.lateness.maxNanoseconds) / 1000)),
                ("execution_last_us", executionJSON(s, s.lastExecutionNanoseconds)),
                ("execution_p99_us", executionJSON(s, s.execution.p99Nanoseconds)),
                ("execution_max_us", executionJSON(s, s.worstExecutionNanoseconds)),
            ])
        })
        return ConsoleAnswer(lines: lines, json: .object([("loops", json), ("reset", .bool(reset))]))
    }

    private func showPins() -> ConsoleAnswer {
        let snapshot = target.view().control
        var lines: [String] = []
        var fields: [(String, ConsoleJSON)] = []
        for (index, name) in ConsoleSignals.inputs.enumerated() {
            lines.append("in   " + name.padding(30) + " \(snapshot.inputs[index])")
            fields.append((name, .bool(snapshot.inputs[index])))
        }
        for (index, name) in ConsoleSignals.outputs.enumerated() {
            lines.append("out  " + name.padding(30) + " \(snapshot.outputs[index])")
            fields.append((name, .bool(snapshot.outputs[index])))
        }
        return ConsoleAnswer(lines: lines, json: .object([("pins", .object(fields))]))
    }

    private func showDrives() -> ConsoleAnswer {
        let drives = target.view().drives
        return ConsoleAnswer(lines: drives.map(driveLine), json: .object([("drives", .array(drives.map(driveJSON)))]))
    }

    private func showBus() -> ConsoleAnswer {
        var lines: [String] = []
        var json: [ConsoleJSON] = []
        for scheduler in target.busSchedulers {
            let timing = scheduler.cycleTiming
            let reports = scheduler.latestReports()
            let exchanges = reports.reduce(0) { $0 + $1.exchanges }
            let failed = reports.reduce(0) { $0 + $1.failedExchanges }
            lines.append("\(scheduler.busName): \(format3(1e9 / Double(scheduler.cyclePeriodNanoseconds))) Hz, cycles \(timing.cycles), "
                + "overruns \(timing.overruns), last cycle \(micro(timing.lastCycleNanoseconds)) us, max \(micro(timing.maxCycleNanoseconds)) us, "
                + "exchanges \(exchanges), failed \(failed), drives \(scheduler.driveNames.joined(separator: " "))")
            json.append(.object([
                ("bus", .string(scheduler.busName)), ("cycles", .int(timing.cycles)), ("overruns", .int(timing.overruns)),
                ("last_cycle_us", .number(Double(timing.lastCycleNanoseconds) / 1000)),
                ("max_cycle_us", .number(Double(timing.maxCycleNanoseconds) / 1000)),
                ("exchanges", .int(exchanges)), ("failed_exchanges", .int(failed)),
                ("drives", .array(scheduler.driveNames.map(ConsoleJSON.string))),
            ]))
        }
        return ConsoleAnswer(lines: lines, json: .object([("buses", .array(json))]))
    }

    private func showFaults() -> ConsoleAnswer {
        let faults = target.view().control.faults
        let lines = faults.isEmpty ? ["no faults latched"] : faults.map { "\($0)" } + ["after dealing with the cause: reset faults"]
        return ConsoleAnswer(lines: lines, json: .object([("faults", .array(faults.map(faultJSON)))]))
    }

    private func showConfig() -> ConsoleAnswer {
        let config = target.config
        var lines = ["robot \(config.name), backend \(config.backend.rawValue), file \(config.file)",
                     "loops: control \(config.loops.control.hz) Hz, perception \(config.loops.perception.hz) Hz"]
        var drives: [ConsoleJSON] = []
        for drive in config.drives {
            let travel = drive.limits.travelMM.map { "travel \($0.lowerBound)...\($0.upperBound) mm" } ?? "no travel limits"
            lines.append("drive \(drive.role.rawValue): \(drive.bus) unit \(drive.unit), speed \(drive.limits.maxSpeedMMPerS) mm/s, "
                + "current \(drive.limits.maxCurrentMA) mA, \(travel)")
            drives.append(.object([
                ("role", .string(drive.role.rawValue)), ("bus", .string(drive.bus)), ("unit", .int(drive.unit)),
                ("speed_mm_s", .number(drive.limits.maxSpeedMMPerS)), ("current_ma", .number(drive.limits.maxCurrentMA)),
            ]))
        }
        for bus in config.buses {
            lines.append("bus \(bus.name): \(bus.baud) baud, poll \(bus.pollHz) Hz")
        }
        lines.append("console: maintenance timeout \(config.console.maintenanceTimeoutS) s, jog speed share \(config.console.jogSpeedShare)")
        let json = ConsoleJSON.object([
            ("name", .string(config.name)), ("backend", .string(config.backend.rawValue)), ("file", .string(config.file)),
            ("drives", .array(drives)),
            ("maintenance_timeout_s", .number(config.console.maintenanceTimeoutS)),
            ("jog_speed_share", .number(config.console.jogSpeedShare)),
        ])
        return ConsoleAnswer(lines: lines, json: json)
    }

    private func get(_ signal: String) -> Result<ConsoleAnswer, ConsoleCommandError> {
        guard let value = ConsoleSignals.value(of: signal, in: target.view().control) else {
            return .failure(ConsoleCommandError("unknown signal '\(signal)'; `show pins` lists every signal name"))
        }
        return .success(ConsoleAnswer(lines: ["\(signal) \(value)"], json: .object([("signal", .string(signal)), ("value", .bool(value))])))
    }

    private func simRequest(_ request: ConsoleRequest) -> Result<ConsoleAnswer, ConsoleCommandError> {
        guard target.simulatesFaults else {
            return .failure(ConsoleCommandError("sim fault works only on the simulator (`stowctl console` with a sim config)"))
        }
        return self.request(request)
    }

    private func request(_ request: ConsoleRequest) -> Result<ConsoleAnswer, ConsoleCommandError> {
        guard let ticket = target.post(request) else {
            return .failure(ConsoleCommandError("the control side's command queue is full; wait a moment and retry (check `status`)"))
        }
        guard let reply = ticket.wait(timeoutSeconds: replyTimeoutSeconds) else {
            return .failure(ConsoleCommandError("the controller did not answer within \(replyTimeoutSeconds) s; "
                + "the request may still run: check `status` before repeating it"))
        }
        switch reply {
        case let .done(text):
            let lines = text.isEmpty ? [] : [text]
            return .success(ConsoleAnswer(lines: lines, json: .object([("message", .string(text))])))
        case let .refused(text):
            return .failure(ConsoleCommandError(text))
        }
    }

    private func maintenanceText(_ status: MaintenanceStatus) -> String {
        guard status.armed else {
            return "disarmed" + (status.lastDisarmReason.map { " (last: \($0))" } ?? "")
        }
        let drives = status.drives.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let outputs = status.outputs.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
        return "ARMED, disarms in \(Int(status.secondsLeft.rounded(.up))) s; drives: \(drives)" + (outputs.isEmpty ? "" : "; held: \(outputs)")
    }

    private func maintenanceJSON(_ status: MaintenanceStatus) -> ConsoleJSON {
        .object([
            ("armed", .bool(status.armed)), ("seconds_left", .number(status.secondsLeft)),
            ("drives", .object(status.drives.map { ($0.0, .string($0.1)) })),
            ("outputs", .object(status.outputs.map { ($0.0, .bool($0.1)) })),
            ("last_disarm_reason", status.lastDisarmReason.map(ConsoleJSON.string) ?? .null),
        ])
    }

    private func faultJSON(_ fault: SafetyFault) -> ConsoleJSON {
        .object([("kind", .string(fault.kind.rawValue)), ("subject", .string(fault.subject)), ("message", .string(fault.message)),
                 ("hint", .string(fault.hint)), ("since_s", .number(Double(fault.since.nanoseconds) / 1e9))])
    }

    private func driveLine(_ report: DriveReport) -> String {
        guard let feedback = report.feedback else {
            return report.name.padding(10) + " no feedback yet; exchanges \(report.exchanges), failed \(report.failedExchanges)"
                + (report.lastError.map { ", last error \($0)" } ?? "")
        }
        let state = CiA402State(statusword: feedback.statusword)?.description ?? "unknown statusword"
        return report.name.padding(10) + " " + state.padding(20)
            + " pos \(format3(feedback.positionMM)) mm, vel \(format3(feedback.velocityMMPerS)) mm/s, "
            + "current \(Int(feedback.currentMilliamps)) mA, error 0x\(String(feedback.errorCode, radix: 16)), "
            + "exchanges \(report.exchanges), failed \(report.failedExchanges)"
            + (report.fault.map { ", COMM FAULT: \($0)" } ?? "")
    }

    private func driveJSON(_ report: DriveReport) -> ConsoleJSON {
        var fields: [(String, ConsoleJSON)] = [("name", .string(report.name)), ("signal", .string(report.signalName))]
        if let feedback = report.feedback {
            fields += [
                ("state", .string(CiA402State(statusword: feedback.statusword)?.rawValue ?? "unknown")),
                ("statusword", .int(feedback.statusword)), ("position_mm", .number(feedback.positionMM)),
                ("velocity_mm_s", .number(feedback.velocityMMPerS)), ("current_ma", .number(feedback.currentMilliamps)),
                ("error_code", .int(feedback.errorCode)),
            ]
        }
        fields += [("exchanges", .int(report.exchanges)), ("failed_exchanges", .int(report.failedExchanges)),
                   ("consecutive_failures", .int(report.consecutiveFailures)),
                   ("comm_fault", report.fault.map { .string("\($0)") } ?? .null)]
        return .object(fields)
    }
}

/// A command's output: text lines for people, the same facts as JSON for scripts.
public struct ConsoleAnswer: Equatable, Sendable {
    public var lines: [String]
    public var json: ConsoleJSON

    public init(lines: [String], json: ConsoleJSON) {
        self.lines = lines
        self.json = json
    }
}

/// Three decimals without Foundation.
public func format3(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    let scaled = (value * 1000).rounded()
    let sign = scaled < 0 ? "-" : ""
    let magnitude = abs(scaled)
    guard magnitude < 1e15 else { return "\(value)" }
    let whole = Int64(magnitude) / 1000
    let fraction = Int64(magnitude) % 1000
    let digits = String(fraction)
    return "\(sign)\(whole).\(String(repeating: "0", count: 3 - digits.count))\(digits)"
}

/// Nanoseconds as whole microseconds.
private func micro(_ nanoseconds: UInt64) -> String { String(nanoseconds / 1000) }

/// An execution figure of `loop` in µs, or `-` when the loop measured none (`PeriodicLoop.measuresExecution`).
private func executionMicro(_ loop: LoopStatisticsSnapshot, _ nanoseconds: UInt64) -> String {
    loop.measuresExecution ? micro(nanoseconds) : "-"
}

/// As `executionMicro`, for JSON: null when the loop measured none.
private func executionJSON(_ loop: LoopStatisticsSnapshot, _ nanoseconds: UInt64) -> ConsoleJSON {
    loop.measuresExecution ? .number(Double(nanoseconds) / 1000) : .null
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
