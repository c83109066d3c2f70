/// How an RS-485 bus port is found.
public enum SerialPortSelector: Equatable, Sendable, CustomStringConvertible {
    /// A device path (`/dev/ttyS1`, `/dev/serial/by-id/...`).
    case path(String)
    /// A USB adapter's serial number, which survives /dev/ttyUSBn renumbering.
    case usbSerial(String)

    public var description: String {
        switch self {
        case let .path(path): return path
        case let .usbSerial(serial): return "USB serial \(serial)"
        }
    }
}

public enum SerialParity: String, CaseIterable, Sendable {
    case none
    case even
    case odd
}

/// Kernel RS-485 mode (TIOCSRS485) for UARTs that drive the transceiver's DE pin themselves.
public struct RS485Config: Equatable, Sendable {
    public var rtsOnSend: Bool
    public var delayBeforeSendMS: Double
    public var delayAfterSendMS: Double
}

/// One RS-485 bus with its Modbus RTU timing.
public struct BusConfig: Equatable, Sendable {
    public var name: String
    /// Nil only on the simulator.
    public var port: SerialPortSelector?
    public var baud: Int
    public var parity: SerialParity
    public var stopBits: Int
    /// How long to wait for a drive's reply before counting a timeout.
    public var responseTimeoutMS: Double
    /// Extra attempts after a timeout or a bad reply, per request.
    public var retries: Int
    /// Cyclic exchanges per second with every drive on the bus.
    public var pollHz: Double
    /// Time a drive takes to start answering (from its manual); used by the poll-rate check.
    public var driveTurnaroundMS: Double
    public var rs485: RS485Config?
    public var location: SourceLocation

    /// Bits on the wire per character: start, 8 data, parity, stop.
    public var bitsPerCharacter: Int {
        1 + 8 + (parity == .none ? 0 : 1) + stopBits
    }
}

extension BusConfig {
    static let baudRates = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 921600, 1_000_000]

    static func read(name: String, keyMark: SourceLocation, _ node: ConfigNode, backend: Backend) -> BusConfig? {
        guard let map = node.mapping() else { return nil }
        let pathNode = map.optional("port")
        let usbNode = map.optional("usb_serial")
        var port: SerialPortSelector?
        switch (pathNode, usbNode) {
        case let (path?, nil): port = path.name().map(SerialPortSelector.path)
        case let (nil, usb?): port = usb.name().map(SerialPortSelector.usbSerial)
        case (_?, let usb?): node.reader.error(at: usb, "give either port or usb_serial, not both")
        case (nil, nil):
            if backend == .linux {
                node.reader.error(at: map.mark, node.path + ".port", "required key is missing",
                                  hint: "select the bus by device path (port: /dev/ttyS1) or USB serial number (usb_serial: ...)")
            }
        }
        let baud = map.required("baud")?.int(in: 1200...4_000_000, unit: "baud")
        if let baud, !baudRates.contains(baud), let node = map.optional("baud") {
            node.reader.error(at: node, "\(baud) is not a standard rate",
                              hint: "use one of \(baudRates.map(String.init).joined(separator: ", "))")
        }
        let parity = map.optional("parity")?.oneOf(SerialParity.self) ?? .even
        let stopBits = map.optional("stop_bits")?.int(in: 1...2) ?? 1
        let timeout = map.required("response_timeout_ms")?.double(in: 1...5000, unit: "ms")
        let retries = map.optional("retries")?.int(in: 0...5) ?? 1
        let pollHz = map.required("poll_hz")?.double(in: 1...2000, unit: "Hz")
        let turnaround = map.optional("drive_turnaround_ms")?.double(in: 0...100, unit: "ms") ?? 1.0
        let rs485 = map.optional("rs485").flatMap(readRS485)
        map.finish()
        guard let baud, baudRates.contains(baud), let timeout, let pollHz else { return nil }
        return BusConfig(
            name: name, port: port, baud: baud, parity: parity, stopBits: stopBits,
            responseTimeoutMS: timeout, retries: retries, pollHz: pollHz, driveTurnaroundMS: turnaround,
            rs485: rs485, location: keyMark)
    }

    private static func readRS485(_ node: ConfigNode) -> RS485Config? {
        guard let map = node.mapping() else { return nil }
        let rtsOnSend = map.optional("rts_on_send")?.bool() ?? true
        let before = map.optional("delay_before_send_ms")?.double(in: 0...100, unit: "ms") ?? 0
        let after = map.optional("delay_after_send_ms")?.double(in: 0...100, unit: "ms") ?? 0
        map.finish()
        return RS485Config(rtsOnSend: rtsOnSend, delayBeforeSendMS: before, delayAfterSendMS: after)
    }
}
