import ArgumentParser
import Config
import Foundation
import HAL
import SimHAL

/// `stowctl sim-drive --pty LINK --unit N`: a simulated CiA 402 drive on a pseudo-terminal.
struct SimDriveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim-drive",
        abstract: "Serve a simulated CiA 402 drive over Modbus RTU on a pseudo-terminal, for bench tests without a drive.",
        discussion: """
            Creates a pseudo-terminal, links LINK to its slave end (/dev/pts/N) and answers \
            Modbus RTU requests there as a CiA 402 drive with the cia402-direct register map \
            (function codes 0x03, 0x04, 0x06, 0x10, 0x17). The drive is SimHAL's SimDrive, \
            stepped every 1 ms on the wall clock: state machine, profile position and velocity, \
            current, following error. Open LINK with any Modbus client (stowctl drive, pymodbus) \
            at parity none: Linux ptys refuse parity, so --parity is accepted but not emulated, \
            and --baud only sets the silence after which a partial frame is dropped.

            The axis is a role's drive from firmware-config/sim.yaml (--role, default plank) or \
            a drive of a config (--config F --drive NAME; --unit then defaults to its unit).

            Prints `READY <slave path>` when serving. Stops and removes LINK on SIGINT, SIGTERM, \
            SIGHUP or end of stdin (unless --ignore-stdin). Commands on stdin, one per line, \
            each answered by `ok` or `error: ...`:
            \(SimDriveConsole.help)

            --benchmark measures the model instead: 4 drives (jaw, belts, plank) moving under load, \
            stepped 1 ms at a time; prints the median and p99 cost of one SimDrive.step. Build with \
            -c release for figures that mean anything.

            Example:
              stowctl sim-drive --pty /tmp/drive1 --unit 1 --role jaw &
              stowctl drive status --port /tmp/drive1 --unit 1 --parity none --counts-per-mm 400
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Path of the symlink to create to the pty's slave end (removed on exit).")
    var pty: String?

    @Option(help: "Modbus unit id to answer as (1...247); defaults to the config drive's unit.")
    var unit: Int?

    @Option(help: "Drive role for the built-in parameters: jaw, left-belt, right-belt, plank.")
    var role: String?

    @Option(help: "Robot config file; with --drive, takes scaling, limits and unit from it.")
    var config: String?

    @Option(help: "Drive name in the config: jaw, left-belt, right-belt, plank.")
    var drive: String?

    @Option(help: "Baud rate: sets the silence (t3.5, at least 5 ms) that ends a partial frame.")
    var baud: Int = 115_200

    @Option(help: "Parity: none, even, odd (not emulated on a pty; use none on the client).")
    var parity: String = "none"

    @Flag(name: .customLong("ignore-stdin"), help: "Keep serving at end of stdin (for running under a service manager).")
    var ignoreStdin = false

    @Flag(help: "Instead of serving, measure SimDrive.step for the four EOAT drives in motion and print the cost per step.")
    var benchmark = false

    func run() throws {
        try global.bootstrapLogging()
        if benchmark {
            SimDriveBenchmark.run()
            return
        }
        guard let pty else {
            throw ValidationError("--pty LINK is required (the symlink to create to the pty's slave end)")
        }
        let (parameters, unit) = try resolveDrive()
        guard SerialSettings.standardBaudRates.contains(baud) else {
            throw ValidationError("--baud: \(baud) is not a standard rate (\(SerialSettings.standardBaudRates.map(String.init).joined(separator: ", ")))")
        }
        guard let parity = SerialSettings.Parity(rawValue: parity) else {
            throw ValidationError("--parity: '\(parity)' is not one of none, even, odd")
        }
        if parity != .none {
            printToStderr("sim-drive: parity \(parity.rawValue) is not emulated: Linux ptys refuse PARENB; open the client with parity none")
        }
        let settings = SerialSettings(baud: baud, parity: parity, stopBits: parity == .none ? .two : .one)

        let signals = TerminationSignals()
        let terminal: PseudoTerminal
        let link: PtyLink
        do {
            terminal = try PseudoTerminal()
            link = try PtyLink(path: pty, target: terminal.slavePath)
        } catch let failure as SimDriveFailure {
            printToStderr("sim-drive: \(failure)")
            throw ExitCode(1)
        }
        defer { link.remove() }

        let start = parameters.travelMM.map { parameters.name == DriveRole.jaw.rawValue ? $0.upperBound : $0.lowerBound } ?? 0
        let simDrive = SimDrive(parameters: parameters, startPositionMM: start)
        let server = ModbusRTUServer()
        server.serve(unit: unit, map: SimDriveRegisterMap(drive: simDrive))

        print("READY \(terminal.slavePath)")
        fflush(nil)  // stdout: the reader waits for this line
        printToStderr("sim-drive: \(parameters.name) as unit \(unit) on \(pty) → \(terminal.slavePath) (\(settings)); "
            + "Ctrl-C to stop")
        let loop = SimDriveServeLoop(
            pty: terminal, server: server, drive: simDrive, unit: unit, signals: signals, readStdin: !ignoreStdin,
            silenceNanoseconds: max(5_000_000, settings.characterTimeNanoseconds * 7 / 2))
        do {
            let reason = try loop.run()
            printToStderr("sim-drive: stopped (\(reason)); served \(server.statistics.replies) replies, "
                + "\(server.statistics.exceptions) exceptions, dropped \(server.statistics.badCRC) bad frames")
        } catch let failure as SimDriveFailure {
            printToStderr("sim-drive: \(failure)")
            throw ExitCode(1)
        }
    }

    /// The drive's parameters and unit id from --config/--drive or --role, and --unit.
    private func resolveDrive() throws -> (SimDriveParameters, UInt8) {
        var parameters: SimDriveParameters
        var configUnit: Int?
        if let config {
            guard role == nil else { throw ValidationError("give --role or --config with --drive, not both") }
            guard let name = drive else {
                throw ValidationError("--config needs --drive NAME (one of \(DriveRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let robot: RobotConfig
            do {
                robot = try RobotConfig.load(path: config)
            } catch let error as ConfigError {
                throw ValidationError("\(error.description)\n\(config): fix the config first (stowctl check-config \(config))")
            }
            guard let role = DriveRole(rawValue: name), let driveConfig = robot.drive(role) else {
                throw ValidationError("--drive: no drive '\(name)' in \(config) (drives: \(robot.drives.map(\.role.rawValue).joined(separator: ", ")))")
            }
            parameters = SimDriveParameters(config: driveConfig)
            configUnit = driveConfig.unit
        } else {
            guard drive == nil else { throw ValidationError("--drive needs --config FILE (or use --role)") }
            let name = role ?? DriveRole.plank.rawValue
            guard let role = DriveRole(rawValue: name) else {
                throw ValidationError("--role: '\(name)' is not one of \(DriveRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            parameters = SimDriveParameters.defaults(for: role)
        }
        guard let unit = unit ?? configUnit else {
            throw ValidationError("--unit N is required (the Modbus unit id to answer as, 1...247)")
        }
        guard (1...247).contains(unit) else {
            throw ValidationError("--unit: \(unit) is outside 1...247 (0 is broadcast, 248...255 are reserved)")
        }
        return (parameters, UInt8(unit))
    }
}
