import ArgumentParser
import Foundation
import HAL

/// `stowctl drive ...`: bench tools for one CiA 402 drive over Modbus RTU.
struct DriveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drive",
        abstract: "Talk to one CiA 402 drive over Modbus RTU: scan, status, read, write, enable, disable, reset, jog.",
        discussion: """
            Reach a drive either from the robot config (--config FILE --drive NAME takes the \
            bus, line settings, unit id, register profile and scaling from it) or from flags \
            (--port PATH or --usb-serial SERIAL, --baud, --parity, --unit, --profile).

            Examples:
              stowctl drive status --config firmware-config/eoat-linux.yaml --drive plank
              stowctl drive scan --port /dev/ttyUSB0 --baud 115200
              stowctl drive jog --port /dev/ttyUSB0 --unit 2 --velocity-mm-s 20 --seconds 2

            These commands move real machinery: keep clear of the tool, and keep the e-stop in reach.
            """,
        subcommands: [
            DriveScan.self, DriveStatus.self, DriveRead.self, DriveWrite.self,
            DriveEnable.self, DriveDisable.self, DriveReset.self, DriveJog.self,
        ]
    )
}

/// Options every drive subcommand takes.
struct DriveCommonOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: DriveConnectionOptions

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    @Option(name: .customLong("deadline-ms"), help: "How long the whole command may take to reach its goal, in ms.")
    var deadlineMS: Double = 3000
}

/// A drive's status as printed by `status` (and after state changes).
struct DriveStatusReport {
    var unit: Int
    var state: CiA402State?
    var feedback: DriveFeedback
    var error: CiA402ErrorCode

    init(drive: ModbusCiA402Drive, deadline: MonotonicInstant) throws {
        feedback = try drive.readFeedback(deadline: deadline)
        unit = Int(drive.unit)
        state = CiA402State(statusword: feedback.statusword)
        error = CiA402ErrorCode(code: feedback.errorCode)
    }

    var json: [String: Any] {
        [
            "unit": unit,
            "state": state?.name ?? "unknown",
            "statusword": Int(feedback.statusword),
            "position_mm": feedback.positionMM,
            "velocity_mm_s": feedback.velocityMMPerS,
            "current_ma": feedback.currentMilliamps,
            "error_code": Int(feedback.errorCode),
            "error": error.meaning,
        ]
    }

    var text: String {
        let statusword = "0x" + String(feedback.statusword, radix: 16, uppercase: true)
        var lines = [
            "unit \(unit): \(state?.name ?? "unknown state") (statusword \(statusword))",
            "  position \(format2(feedback.positionMM)) mm, velocity \(format2(feedback.velocityMMPerS)) mm/s, current \(format2(feedback.currentMilliamps)) mA",
        ]
        if feedback.errorCode != 0 || state == .fault {
            lines.append("  error \(error)")
            lines.append("  clear it with: stowctl drive reset ... (after fixing the cause)")
        }
        return lines.joined(separator: "\n")
    }
}

struct DriveStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the drive's CiA 402 state, statusword, position, velocity, current and error code.",
        discussion: "JSON keys: unit, state (snake_case CiA 402 state), statusword, position_mm, velocity_mm_s, current_ma, error_code, error."
    )

    @OptionGroup var options: DriveCommonOptions

    func run() throws {
        try options.global.bootstrapLogging()
        let connection = try options.connection.open()
        defer { connection.stream.close() }
        let report = try DriveStatusReport(drive: connection.drive, deadline: .inMilliseconds(options.deadlineMS))
        if options.json {
            try printJSON(report.json)
        } else {
            print(report.text)
        }
    }
}

struct DriveScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "List the unit ids that answer on the bus, with their CiA 402 state.",
        discussion: "Reads the statusword of every unit id from --first to --last with one attempt each; silent ids are skipped."
    )

    @OptionGroup var options: DriveCommonOptions

    @Option(help: "First unit id to try.")
    var first: Int = 1

    @Option(help: "Last unit id to try.")
    var last: Int = 247

    func validate() throws {
        guard (1...247).contains(first), (1...247).contains(last), first <= last else {
            throw ValidationError("--first and --last must be unit ids in 1...247 with first <= last")
        }
    }

    func run() throws {
        try options.global.bootstrapLogging()
        var found: [[String: Any]] = []
        let connection = try options.connection.open(unitOverride: first)
        defer { connection.stream.close() }
        for unit in first...last {
            let drive = try ModbusCiA402Drive(
                name: "unit\(unit)", client: connection.client, unit: UInt8(unit),
                profile: connection.drive.profile, scaling: connection.drive.scaling)
            do {
                let statusword = UInt16(truncatingIfNeeded: try drive.readObject(.statusword, deadline: .inMilliseconds(options.connection.timeoutMS * 2)))
                let state = CiA402State(statusword: statusword)?.name ?? "unknown"
                found.append(["unit": unit, "statusword": Int(statusword), "state": state])
                if !options.json {
                    print("unit \(unit): \(state) (statusword 0x\(String(statusword, radix: 16, uppercase: true)))")
                }
            } catch let error as HALError where error.cause == .timeout {
                continue
            } catch let error as HALError {
                // A reply that is not a valid answer still means something is at this id.
                found.append(["unit": unit, "error": error.cause.description])
                if !options.json { print("unit \(unit): answers, but \(error.cause)") }
            }
        }
        if options.json {
            try printJSON(["drives": found])
        } else if found.isEmpty {
            print("no drive answered on units \(first)...\(last) (check wiring, baud, parity and termination)")
        }
    }
}
