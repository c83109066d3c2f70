import ArgumentParser
import Config
import Foundation
import HAL

/// How a bench command reaches one drive: from a config file and a drive name, or from flags.
struct DriveConnectionOptions: ParsableArguments {
    @Option(help: "Robot config file; use with --drive to take port, line settings, unit, profile and scaling from it.")
    var config: String?

    @Option(help: "Drive name in the config: jaw, left-belt, right-belt, plank.")
    var drive: String?

    @Option(help: "Serial port path (a UART, a USB adapter, or a pseudo-terminal).")
    var port: String?

    @Option(name: .customLong("usb-serial"), help: "Open the USB serial adapter with this serial number instead of --port.")
    var usbSerial: String?

    @Option(help: "Baud rate.")
    var baud: Int = 115_200

    @Option(help: "Parity: none, even, odd (Modbus RTU's default is even).")
    var parity: String = "even"

    @Option(name: .customLong("stop-bits"), help: "Stop bits: 1 or 2.")
    var stopBits: Int = 1

    @Option(help: "Modbus unit id of the drive (1...247).")
    var unit: Int = 1

    @Option(help: "Register profile (cia402-direct).")
    var profile: String = "cia402-direct"

    @Option(name: .customLong("counts-per-mm"), help: "Encoder counts per mm, for mm and mm/s figures.")
    var countsPerMM: Double = 1

    @Option(name: .customLong("rated-current-ma"), help: "Rated current in mA (CiA 402 reports per mille of it).")
    var ratedCurrentMA: Double = 1000

    @Option(name: .customLong("timeout-ms"), help: "Reply timeout per request, in ms.")
    var timeoutMS: Double = 50

    @Option(help: "Extra attempts after a timeout or a bad reply.")
    var retries: Int = 1

    @Option(help: "Serial backend: auto (libserialport for kernel serial devices, termios otherwise), libserialport, termios.")
    var transport: String = "auto"

    /// An open drive and what it was opened from, for messages.
    struct Connection {
        var client: ModbusRTUClient
        var drive: ModbusCiA402Drive
        var stream: ByteStream
        /// Speed limit from config, when the drive came from a config.
        var speedLimitMMPerS: Double?
    }

    /// Opens the port and makes the drive. Throws `ValidationError` for bad flags, `HALError` for
    /// devices that cannot be opened.
    func open(unitOverride: Int? = nil) throws -> Connection {
        guard let transport = SerialTransport(rawValue: transport) else {
            throw ValidationError("--transport: '\(self.transport)' is not one of auto, libserialport, termios")
        }
        if let config {
            return try openFromConfig(path: config, transport: transport)
        }
        guard (port == nil) != (usbSerial == nil) else {
            throw ValidationError("give exactly one of --port PATH, --usb-serial SERIAL, or --config FILE --drive NAME")
        }
        guard let parity = SerialSettings.Parity(rawValue: parity) else {
            throw ValidationError("--parity: '\(parity)' is not one of none, even, odd")
        }
        guard let stopBits = SerialSettings.StopBits(rawValue: stopBits) else {
            throw ValidationError("--stop-bits: \(stopBits) is not 1 or 2")
        }
        let unit = unitOverride ?? self.unit
        guard (1...247).contains(unit) else {
            throw ValidationError("--unit: \(unit) is outside 1...247")
        }
        guard let registerProfile = RegisterProfile.builtIn(named: profile) else {
            throw ValidationError("--profile: unknown profile '\(profile)' (built in: cia402-direct; custom profiles come from --config)")
        }
        let settings = SerialSettings(baud: baud, parity: parity, stopBits: stopBits)
        let stream: ByteStream
        if let usbSerial {
            stream = try LibSerialPort(usbSerialNumber: usbSerial, settings: settings)
        } else {
            stream = try transport.open(path: port!, settings: settings)
        }
        let client = ModbusRTUClient(
            stream: stream, settings: settings,
            options: ModbusRTUClient.Options(responseTimeoutMilliseconds: timeoutMS, maxRetries: retries),
            busName: "bus")
        let drive = try ModbusCiA402Drive(
            name: "unit\(unit)", client: client, unit: UInt8(unit), profile: registerProfile,
            scaling: DriveScaling(countsPerMM: countsPerMM, ratedCurrentMilliamps: ratedCurrentMA))
        return Connection(client: client, drive: drive, stream: stream, speedLimitMMPerS: nil)
    }

    private func openFromConfig(path: String, transport: SerialTransport) throws -> Connection {
        let robot: RobotConfig
        do {
            robot = try RobotConfig.load(path: path)
        } catch let error as ConfigError {
            throw ValidationError("\(error.description)\n\(path): fix the config first (stowctl check-config \(path))")
        }
        guard let name = drive else {
            throw ValidationError("--config needs --drive NAME (one of \(DriveRole.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let role = DriveRole(rawValue: name), let driveConfig = robot.drive(role) else {
            throw ValidationError("--drive: no drive '\(name)' in \(path) (drives: \(robot.drives.map(\.role.rawValue).joined(separator: ", ")))")
        }
        guard let bus = robot.bus(named: driveConfig.bus), bus.port != nil else {
            throw ValidationError("\(path): drive '\(name)' is on a simulated bus (backend: sim); give --port to reach a real one")
        }
        let stream = try transport.open(bus: bus)
        let client = ModbusRTUClient(stream: stream, settings: SerialSettings(bus: bus), options: ModbusRTUClient.Options(bus: bus), busName: bus.name)
        let profileConfig = robot.registerProfile(named: driveConfig.profile) ?? .cia402Direct
        let drive = try ModbusCiA402Drive(
            name: role.rawValue, client: client, unit: UInt8(driveConfig.unit),
            profile: try RegisterProfile.from(profileConfig), scaling: DriveScaling(drive: driveConfig))
        return Connection(client: client, drive: drive, stream: stream, speedLimitMMPerS: driveConfig.limits.maxSpeedMMPerS)
    }
}

/// Prints a JSON object with sorted keys on one line.
func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
