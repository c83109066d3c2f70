import ArgumentParser
import Config
import Foundation

/// `stowctl check-config FILE...`
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate robot config files; print every error with its file, line and column.",
        discussion: """
            Reads each FILE as a robot description (see firmware-config/README.md) and checks \
            everything the controller would rely on: YAML syntax and its traps (duplicate keys, \
            bare yes/no/on/off, octal-looking numbers), unknown keys, types, ranges, GPIO lines \
            used twice, Modbus unit ids shared on a bus, references to undefined buses or \
            register profiles, and rates that cannot be met (a bus polled faster than its baud \
            allows, dead-man times shorter than two control periods).

            Errors go to stderr as FILE:LINE:COL: error: key.path: what is wrong (hint). \
            Exit status: 0 when every file is valid, 1 when any is not.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Config files to check.")
    var files: [String]

    func run() throws {
        try global.bootstrapLogging()
        var failed = 0
        for file in files {
            do {
                let config = try RobotConfig.load(path: file)
                print("\(file): ok (robot \(config.name), backend \(config.backend.rawValue), "
                    + "\(config.gpio.inputs.count + config.gpio.outputs.count) signals, "
                    + "\(config.drives.count) drives on \(config.buses.count) bus\(config.buses.count == 1 ? "" : "es"))")
            } catch let error as ConfigError {
                failed += 1
                printToStderr(error.description)
                let count = error.diagnostics.count
                printToStderr("\(file): \(count) error\(count == 1 ? "" : "s"); nothing was started")
            }
        }
        if failed > 0 {
            throw ExitCode(1)
        }
    }
}

/// `stowctl explain-config FILE`
struct ExplainConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain-config",
        abstract: "Print the resolved wiring: every signal, line, bus, drive, register map and loop rate.",
        discussion: """
            Loads FILE exactly as the controller would (defaults filled in, names resolved) and \
            prints what the robot will use, section by section, with units. Use it to compare a \
            config with the wiring diagram before power-up. Invalid files print their errors and \
            exit 1, like check-config.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The config file to explain.")
    var file: String

    func run() throws {
        try global.bootstrapLogging()
        let config: RobotConfig
        do {
            config = try RobotConfig.load(path: file)
        } catch let error as ConfigError {
            printToStderr(error.description)
            throw ExitCode(1)
        }
        print(ConfigExplanation(config: config).text(), terminator: "")
    }
}

/// Writes a line to stderr.
func printToStderr(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
