import ArgumentParser
import Foundation
import HAL

/// `stowctl gpio list|get|set|watch`: bench tools for GPIO lines, through the same libgpiod backend
/// the controller uses, so what works here works in the robot.
struct GPIOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio",
        abstract: "Bench tools for GPIO lines: list chips and lines, read, drive and watch lines.",
        discussion: """
            These talk to the Linux GPIO character device (/dev/gpiochipN) through libgpiod 1.6 \
            (v1 API), exactly as the controller does. Use them at the bench to check the wiring \
            against the config before power-up: that a switch reads what it should, that a \
            solenoid clicks, that a beam break reports clean edges.

            CHIP is a path (/dev/gpiochip0), a name (gpiochip0), a number (0) or the chip's \
            label (pinctrl-bcm2711). LINE is a line name from the device tree (ESTOP_IN) or an \
            offset (17); all digits means an offset.

            Every request carries the consumer name "stowctl", so `gpioinfo` or \
            `stowctl gpio list` on another terminal shows who holds a line. A line that another \
            program (or the running controller) holds cannot be requested: the error names the \
            holder. Do not run these while the controller runs on the same lines.
            """,
        subcommands: [GPIOListCommand.self, GPIOGetCommand.self, GPIOSetCommand.self, GPIOWatchCommand.self]
    )
}

/// `stowctl gpio list [--chip C] [--json]`
struct GPIOListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List GPIO chips and every line: name, holder, direction, active level, bias, drive.",
        discussion: """
            Without --chip, lists every chip in /dev. Each line shows its offset, its name (or \
            "unnamed"), who holds it ("unused" when free; "stowctl" for us; a driver or hog name \
            for the kernel), its direction, and active-low, bias and drive where they are not the \
            defaults. Nothing is requested: listing never changes a line.

            With --json, prints {"chips": [{"name", "label", "path", "lineCount", "lines": [...]}]}.
            Exit status: 0 when every chip could be read (also when there are none), 1 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this chip (path, name, number or label).")
    var chip: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try global.bootstrapLogging()
        let selectors = chip.map { [$0] } ?? GPIOChip.devicePaths()
        var listings: [GPIOChipListing] = []
        var failed = false
        for selector in selectors {
            do {
                let opened = try GPIOChip.open(selector)
                listings.append(GPIOChipListing(
                    name: opened.name, label: opened.label, path: opened.path, lineCount: opened.lineCount,
                    lines: try opened.lineInfos()))
            } catch let error as HALError {
                failed = true
                reportGPIOError(error)
            }
        }
        if json {
            printBenchJSON(["chips": listings])
        } else if selectors.isEmpty {
            printToStderr("no GPIO chips on this machine (no /dev/gpiochip*)")
        } else {
            for listing in listings {
                print(listing.text())
            }
        }
        if failed {
            throw ExitCode.failure
        }
    }
}

/// `stowctl gpio get --chip C LINE... [--active-low] [--bias B] [--json]`
struct GPIOGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read lines once, all in one snapshot, and print their logical values.",
        discussion: """
            Requests the lines as inputs (consumer "stowctl"), reads them all in one call, prints \
            LINE=VALUE per line (1 = active, 0 = inactive) and releases them. With --active-low, \
            1 means the line is low, as the controller sees an active-low signal.

            Caution: requesting a line as an input turns an output into an input. Read outputs \
            with `stowctl gpio list` (direction) or at the load instead.

            With --json, prints [{"line", "offset", "name", "value"}].
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The chip (path, name, number or label).")
    var chip: String

    @Flag(help: "Treat the lines as active-low: 1 means low.")
    var activeLow = false

    @Option(help: "Bias to request: as-is, disabled, pull-up or pull-down.")
    var bias: GPIOBias = .asIs

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Argument(help: "Lines to read, by name or offset.")
    var lines: [String]

    func run() throws {
        try global.bootstrapLogging()
        try withGPIOErrorsReported {
            let opened = try GPIOChip.open(chip)
            let found = try lines.map { try opened.line($0) }
            let set = try GPIOLineSet(
                inputs: lines, lines: found, options: GPIOLineOptions(activeLow: activeLow, bias: bias))
            var values = Array(repeating: false, count: found.count)
            try set.read(into: &values)
            try set.close()
            if json {
                let readings = zip(lines, zip(found, values)).map { spec, pair in
                    GPIOReading(line: spec, offset: pair.0.offset, name: pair.0.kernelName, value: pair.1)
                }
                printBenchJSON(readings)
            } else {
                for (spec, value) in zip(lines, values) {
                    print("\(spec)=\(value ? 1 : 0)")
                }
            }
        }
    }
}

/// `stowctl gpio set --chip C LINE=VALUE... [--hold-seconds N]`
struct GPIOSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Drive lines to values, hold them, then return them to inactive and release them.",
        discussion: """
            Requests the lines as outputs (consumer "stowctl") at their inactive level, sets them \
            all in one call to the values given, and holds them: for --hold-seconds, or until \
            Ctrl-C (SIGINT), SIGTERM or SIGHUP when no time is given.

            VALUE is 1/0, on/off, true/false or active/inactive; values are logical, so with \
            --active-low, 1 drives the pin low.

            On release, every line is first driven back to inactive (0; high with --active-low), \
            the same way the controller returns outputs to their safe value, and then given back \
            to the kernel. After release the kernel leaves the line an output at that level on \
            most drivers, but nobody owns it: another program may take it, and some drivers \
            return the pin to its default state (gpio-sim, for one, drops it to its pull). If stowctl is killed with SIGKILL, \
            the kernel releases the lines at whatever level they had.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The chip (path, name, number or label).")
    var chip: String

    @Option(help: "Hold the values this many seconds (default: until Ctrl-C).")
    var holdSeconds: Double?

    @Flag(help: "Treat the lines as active-low: 1 drives the pin low.")
    var activeLow = false

    @Option(help: "Output drive: push-pull, open-drain or open-source.")
    var drive: GPIODrive = .pushPull

    @Option(help: "Bias to request: as-is, disabled, pull-up or pull-down.")
    var bias: GPIOBias = .asIs

    @Argument(help: "LINE=VALUE pairs; LINE is a name or offset.")
    var assignments: [String]

    func validate() throws {
        if let holdSeconds, holdSeconds < 0 {
            throw ValidationError("--hold-seconds must be 0 or more, not \(holdSeconds)")
        }
        _ = try parsedAssignments()
    }

    func run() throws {
        try global.bootstrapLogging()
        let signals = TerminationSignals()  // before any request, so Ctrl-C cannot skip the release
        let pairs = try parsedAssignments()
        try withGPIOErrorsReported {
            let opened = try GPIOChip.open(chip)
            let found = try pairs.map { try opened.line($0.line) }
            let set = try GPIOLineSet(
                outputs: pairs.map(\.line), lines: found, safeValues: Array(repeating: false, count: found.count),
                options: GPIOLineOptions(activeLow: activeLow, bias: bias, drive: drive))
            try set.write(pairs.map(\.value))
            for pair in pairs {
                print("\(pair.line)=\(pair.value ? 1 : 0)")
            }
            let until = holdSeconds.map { "for \($0) s" } ?? "until Ctrl-C"
            printToStderr("holding \(until) on \(opened.displayName)")
            fflush(nil)
            if let signal = signals.wait(seconds: holdSeconds) {
                printToStderr("\(TerminationSignals.name(signal)) received")
            }
            try set.close()
            printToStderr("released: lines driven inactive, then given back to the kernel")
        }
    }

    private func parsedAssignments() throws -> [(line: String, value: Bool)] {
        try assignments.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("'\(text)' is not LINE=VALUE (for example ESTOP_OUT=1 or 17=0)")
            }
            switch parts[1].lowercased() {
            case "1", "on", "true", "active": return (parts[0], true)
            case "0", "off", "false", "inactive": return (parts[0], false)
            default:
                throw ValidationError("'\(text)': value '\(parts[1])' is not 1/0, on/off, true/false or active/inactive")
            }
        }
    }
}

// MARK: - Shared by the gpio subcommands

/// Runs `body`; a `HALError` becomes a message on stderr with what to do, and exit status 1.
func withGPIOErrorsReported(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as HALError {
        reportGPIOError(error)
        throw ExitCode.failure
    }
}

/// Prints `error` and, where the cause suggests one, the next step for the technician.
func reportGPIOError(_ error: HALError) {
    printToStderr("error: \(error)")
    switch error.cause {
    case .notFound:
        printToStderr("hint: `stowctl gpio list` shows the chips and line names present")
    case .busy:
        printToStderr("hint: stop the program named as the consumer (a running controller, gpioset, gpiomon), "
            + "or use a line nobody holds")
    case let .errno(_, code) where code == EACCES || code == EPERM:
        printToStderr("hint: run as root, or add this user to the group that owns /dev/gpiochip* (often 'gpio')")
    default:
        break
    }
}

/// Prints `value` as pretty, key-sorted JSON on stdout.
func printBenchJSON<Value: Encodable>(_ value: Value) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else { return }
    print(text)
}

/// One chip in `gpio list`.
struct GPIOChipListing: Encodable {
    var name: String
    var label: String
    var path: String
    var lineCount: Int
    var lines: [GPIOLineInfo]

    /// The gpioinfo-like text form.
    func text() -> String {
        var rows = ["\(name) [\(label.isEmpty ? "no label" : label)] \(path), \(lineCount) lines"]
        for line in lines {
            var fields = [
                "line \(String(line.offset).leftPadded(to: 3)):",
                (line.name.map { "\"\($0)\"" } ?? "unnamed").rightPadded(to: 20),
                (line.consumer.map { "\"\($0)\"" } ?? (line.used ? "used" : "unused")).rightPadded(to: 12),
                line.direction.rawValue.rightPadded(to: 6),
                line.activeLow ? "active-low" : "active-high",
            ]
            if line.bias != .asIs { fields.append("bias=\(line.bias.rawValue)") }
            if line.drive != .pushPull { fields.append("drive=\(line.drive.rawValue)") }
            rows.append("    " + fields.joined(separator: " "))
        }
        return rows.joined(separator: "\n")
    }
}

/// One line read by `gpio get --json`.
struct GPIOReading: Encodable {
    var line: String
    var offset: Int
    var name: String?
    var value: Bool
}

extension GPIOBias: ExpressibleByArgument {}
extension GPIODrive: ExpressibleByArgument {}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }

    fileprivate func rightPadded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
