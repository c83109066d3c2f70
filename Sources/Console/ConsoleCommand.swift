import Config

/// One console command, parsed from a typed line. Signals use the config's dotted names
/// (`eoat.plank.extended`); drives use their roles (`jaw`, `left-belt`, `right-belt`, `plank`).
public enum ConsoleCommand: Equatable, Sendable {
    case help(topic: String?)
    case status
    case showLoops(reset: Bool)
    case showPins
    case showDrives
    case showBus
    case showFaults
    case showConfig
    case get(signal: String)
    /// A signal name or a drive role; updates until a key is pressed.
    case watch(target: String)
    case log(level: ConsoleLogLevel)
    case journalLast(count: Int)
    case resetFaults
    /// The stow cycle's safe hold was dealt with (what fell or broke is cleared): resume.
    case acknowledge
    case estop
    case armMaintenance
    case disarmMaintenance
    case set(signal: String, value: Bool)
    case jog(drive: DriveRole, velocityMMPerS: Double)
    case home(drive: DriveRole)
    case enable(drive: DriveRole)
    case disable(drive: DriveRole)
    /// A fault line in the firmware-config/README.md grammar, checked by the simulator.
    case simFault(line: String)
    /// `sim fault clear [KIND]`.
    case simFaultClear(kind: String?)
    case mode(json: Bool)
    case quit

    /// Longest `journal last N` accepted.
    public static let journalLastLimit = 1000

    /// Parses one line. Returns nil for a blank line; `--json` anywhere asks for JSON output.
    ///
    /// Never traps, whatever the input (the fuzz spec feeds it random bytes); every refusal is a
    /// `ConsoleParseError` that says what to type instead.
    public static func parse(_ line: String) throws(ConsoleParseError) -> ConsoleInvocation? {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let json = words.contains("--json")
        words.removeAll { $0 == "--json" }
        guard let verb = words.first else {
            if json { throw ConsoleParseError("--json needs a command, e.g. `status --json`") }
            return nil
        }
        let arguments = Array(words.dropFirst())
        return ConsoleInvocation(command: try parse(verb: verb.lowercased(), arguments), json: json)
    }

    // MARK: - Private helpers

    private static func parse(verb: String, _ arguments: [String]) throws(ConsoleParseError) -> ConsoleCommand {
        switch verb {
        case "help", "?":
            try expect(arguments, atMost: 1, usage: "help [COMMAND]")
            return .help(topic: arguments.first?.lowercased())
        case "status":
            try expect(arguments, atMost: 0, usage: "status")
            return .status
        case "show":
            return try parseShow(arguments)
        case "get":
            try expect(arguments, exactly: 1, usage: "get SIGNAL")
            return .get(signal: try signal(arguments[0]))
        case "watch":
            try expect(arguments, exactly: 1, usage: "watch SIGNAL|DRIVE")
            if let role = DriveRole(rawValue: arguments[0]) { return .watch(target: role.rawValue) }
            return .watch(target: try signal(arguments[0]))
        case "log":
            try expect(arguments, exactly: 1, usage: "log LEVEL")
            guard let level = ConsoleLogLevel(rawValue: arguments[0].lowercased()) else {
                throw ConsoleParseError("unknown log level '\(arguments[0])'; use one of: "
                    + ConsoleLogLevel.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return .log(level: level)
        case "journal":
            try expect(arguments, exactly: 2, usage: "journal last N")
            guard arguments[0] == "last" else { throw ConsoleParseError("usage: journal last N") }
            guard let count = Int(arguments[1]), (1...journalLastLimit).contains(count) else {
                throw ConsoleParseError("N must be a whole number from 1 to \(journalLastLimit), got '\(arguments[1])'")
            }
            return .journalLast(count: count)
        case "reset":
            guard arguments == ["faults"] else { throw ConsoleParseError("usage: reset faults") }
            return .resetFaults
        case "ack", "acknowledge":
            try expect(arguments, atMost: 0, usage: "ack")
            return .acknowledge
        case "estop":
            try expect(arguments, atMost: 0, usage: "estop")
            return .estop
        case "arm":
            guard arguments == ["maintenance"] else { throw ConsoleParseError("usage: arm maintenance") }
            return .armMaintenance
        case "disarm":
            guard arguments.isEmpty || arguments == ["maintenance"] else { throw ConsoleParseError("usage: disarm") }
            return .disarmMaintenance
        case "set":
            try expect(arguments, exactly: 2, usage: "set SIGNAL VALUE")
            return .set(signal: try signal(arguments[0]), value: try boolean(arguments[1]))
        case "jog":
            try expect(arguments, exactly: 2, usage: "jog DRIVE VELOCITY_MM_S")
            guard let velocity = Double(arguments[1]), velocity.isFinite else {
                throw ConsoleParseError("VELOCITY must be a number in mm/s (e.g. 20 or -5.5), got '\(arguments[1])'")
            }
            return .jog(drive: try drive(arguments[0]), velocityMMPerS: velocity)
        case "home":
            try expect(arguments, exactly: 1, usage: "home DRIVE")
            return .home(drive: try drive(arguments[0]))
        case "enable":
            try expect(arguments, exactly: 1, usage: "enable DRIVE")
            return .enable(drive: try drive(arguments[0]))
        case "disable":
            try expect(arguments, exactly: 1, usage: "disable DRIVE")
            return .disable(drive: try drive(arguments[0]))
        case "sim":
            guard arguments.first == "fault", arguments.count >= 2 else {
                throw ConsoleParseError("usage: sim fault LINE (grammar in firmware-config/README.md) or sim fault clear [KIND]")
            }
            if arguments[1] == "clear" {
                try expect(Array(arguments.dropFirst(2)), atMost: 1, usage: "sim fault clear [KIND]")
                return .simFaultClear(kind: arguments.count > 2 ? arguments[2] : nil)
            }
            return .simFault(line: arguments.dropFirst().joined(separator: " "))
        case "mode":
            switch arguments {
            case ["json"]: return .mode(json: true)
            case ["text"]: return .mode(json: false)
            default: throw ConsoleParseError("usage: mode json|text")
            }
        case "quit", "exit":
            try expect(arguments, atMost: 0, usage: verb)
            return .quit
        default:
            throw ConsoleParseError("unknown command '\(printable(verb))'; type `help` for the list")
        }
    }

    private static func parseShow(_ arguments: [String]) throws(ConsoleParseError) -> ConsoleCommand {
        let usage = "show loops [reset] | pins | drives | bus | faults | config"
        guard let what = arguments.first else { throw ConsoleParseError("usage: \(usage)") }
        if what == "loops" {
            switch Array(arguments.dropFirst()) {
            case []: return .showLoops(reset: false)
            case ["reset"]: return .showLoops(reset: true)
            default: throw ConsoleParseError("usage: show loops [reset]")
            }
        }
        guard arguments.count == 1 else { throw ConsoleParseError("usage: \(usage)") }
        switch what {
        case "pins": return .showPins
        case "drives": return .showDrives
        case "bus": return .showBus
        case "faults": return .showFaults
        case "config": return .showConfig
        default: throw ConsoleParseError("cannot show '\(printable(what))'; usage: \(usage)")
        }
    }

    private static func expect(_ arguments: [String], atMost count: Int, usage: String) throws(ConsoleParseError) {
        guard arguments.count <= count else { throw ConsoleParseError("too many arguments; usage: \(usage)") }
    }

    private static func expect(_ arguments: [String], exactly count: Int, usage: String) throws(ConsoleParseError) {
        guard arguments.count == count else { throw ConsoleParseError("usage: \(usage)") }
    }

    private static func signal(_ word: String) throws(ConsoleParseError) -> String {
        guard ConsoleSignals.all.contains(word) else {
            throw ConsoleParseError("unknown signal '\(printable(word))'; `show pins` lists every signal name")
        }
        return word
    }

    private static func drive(_ word: String) throws(ConsoleParseError) -> DriveRole {
        guard let role = DriveRole(rawValue: word) else {
            throw ConsoleParseError("unknown drive '\(printable(word))'; use one of: "
                + DriveRole.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return role
    }

    private static func boolean(_ word: String) throws(ConsoleParseError) -> Bool {
        switch word.lowercased() {
        case "1", "true", "on", "high": return true
        case "0", "false", "off", "low": return false
        default: throw ConsoleParseError("VALUE must be true or false (also 1/0, on/off), got '\(printable(word))'")
        }
    }

    /// A word echoed in an error, cut short so a flood cannot make the reply huge.
    private static func printable(_ word: String) -> String {
        word.count > 40 ? String(word.prefix(40)) + "..." : word
    }
}

/// A parsed line: the command and whether its answer should be JSON.
public struct ConsoleInvocation: Equatable, Sendable {
    public var command: ConsoleCommand
    public var json: Bool

    public init(command: ConsoleCommand, json: Bool = false) {
        self.command = command
        self.json = json
    }
}

/// A line the parser refused, with what to type instead.
public struct ConsoleParseError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// `log LEVEL`: the swift-log levels, by their names.
public enum ConsoleLogLevel: String, CaseIterable, Sendable {
    case trace, debug, info, notice, warning, error, critical
}
