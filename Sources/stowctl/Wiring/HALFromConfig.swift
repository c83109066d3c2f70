import Config
import Foundation
import HAL

/// Config values turned into HAL values. Config knows nothing of HAL; this is the one place the
/// two meet, so a key's meaning is translated exactly once.
extension SerialSettings {
    init(bus: BusConfig) {
        let parity: Parity
        switch bus.parity {
        case .none: parity = .none
        case .even: parity = .even
        case .odd: parity = .odd
        }
        self.init(baud: bus.baud, parity: parity, stopBits: bus.stopBits == 2 ? .two : .one)
    }
}

extension ModbusRTUClient.Options {
    init(bus: BusConfig) {
        self.init(responseTimeoutMilliseconds: bus.responseTimeoutMS, maxRetries: bus.retries)
    }
}

extension DriveScaling {
    init(drive: DriveConfig) {
        self.init(countsPerMM: drive.countsPerMM, ratedCurrentMilliamps: drive.ratedCurrentMA)
    }
}

extension RegisterProfile {
    /// The HAL register map for a config profile (built in or from `register_profiles`).
    static func from(_ config: RegisterProfileConfig) throws -> RegisterProfile {
        if let builtIn = RegisterProfile.builtIn(named: config.name) {
            return builtIn
        }
        var locations: [CiA402Object: RegisterLocation] = [:]
        for (name, address) in config.addresses {
            guard let object = CiA402Object(rawValue: UInt16(name.objectIndex)) else { continue }
            locations[object] = RegisterLocation(address: UInt16(address), width: name.registerCount == 2 ? .bits32 : .bits16)
        }
        return try RegisterProfile(name: config.name, locations: locations)
    }
}

/// Which serial backend opens a port.
enum SerialTransport: String, CaseIterable {
    /// libserialport for ports the kernel lists as serial devices (UARTs, USB adapters);
    /// termios for everything else (pseudo-terminals, which libserialport refuses).
    case auto
    case libserialport
    case termios

    /// Opens `path` with this transport.
    func open(path: String, settings: SerialSettings, rs485: RS485Settings? = nil) throws -> ByteStream {
        switch self {
        case .libserialport:
            return try LibSerialPort(path: path, settings: settings, rs485: rs485)
        case .termios:
            if rs485 != nil {
                throw HALError(device: path, cause: .invalidRequest("RS-485 kernel mode needs the libserialport transport"))
            }
            return try TermiosPort(path: path, settings: settings)
        case .auto:
            let chosen: SerialTransport = Self.isKernelSerialDevice(path) ? .libserialport : .termios
            return try chosen.open(path: path, settings: settings, rs485: rs485)
        }
    }

    /// Opens a config bus's port (by path, or by the USB adapter's serial number through
    /// libserialport) with the bus's settings and RS-485 block. Throws `HALError` naming the port;
    /// `.invalidRequest` for a simulated bus (no port).
    func open(bus: BusConfig) throws -> ByteStream {
        let settings = SerialSettings(bus: bus)
        let rs485 = bus.rs485.map(RS485Settings.init(config:))
        switch bus.port {
        case let .path(path)?: return try open(path: path, settings: settings, rs485: rs485)
        case let .usbSerial(serial)?: return try LibSerialPort(usbSerialNumber: serial, settings: settings, rs485: rs485)
        case nil: throw HALError(device: bus.name, cause: .invalidRequest("\(bus.name) is a simulated bus (no port or usb_serial)"))
        }
    }

    /// A real serial device has `/sys/class/tty/NAME/device`; a pty does not.
    static func isKernelSerialDevice(_ path: String) -> Bool {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().lastPathComponent
        return FileManager.default.fileExists(atPath: "/sys/class/tty/\(resolved)/device")
    }
}

extension RS485Settings {
    init(config: RS485Config) {
        self.init(enabled: true, rtsOnSend: config.rtsOnSend, rtsAfterSend: !config.rtsOnSend,
                  delayBeforeSendMilliseconds: UInt32(config.delayBeforeSendMS.rounded()),
                  delayAfterSendMilliseconds: UInt32(config.delayAfterSendMS.rounded()))
    }
}

extension CellLink {
    /// The cell link on `path` (8N1 at `baud`, the termios or libserialport transport as for the
    /// drive bus), reopened once a second after the port fails (an unplugged USB adapter).
    static func open(path: String, baud: Int, replyTimeoutMS: Double, pollMS: Double) throws -> CellLink {
        let settings = SerialSettings(baud: baud)
        return CellLink(stream: try SerialTransport.auto.open(path: path, settings: settings),
                        replyTimeoutMS: replyTimeoutMS, pollMS: pollMS,
                        reopen: { try SerialTransport.auto.open(path: path, settings: settings) })
    }

    /// The cell link of a config's `cell:` section.
    static func open(_ cell: CellConfig) throws -> CellLink {
        try open(path: cell.port, baud: cell.baud, replyTimeoutMS: cell.replyTimeoutMS, pollMS: cell.pollMS)
    }
}
