import CSerialPort
import Glibc

/// A serial port through libserialport 0.1: the `ByteStream` contract for real UARTs and USB
/// serial adapters, which can be found by USB serial number.
///
/// libserialport only accepts ports with a /sys/class/tty device and modem-control lines, so it
/// refuses pseudo-terminals; that refusal is a clear `.invalidRequest` pointing at the termios
/// backend (`TermiosPort`), which the simulator and tests use. The corresponding C type is
/// `struct sp_port`; the port is closed (`sp_close`, `sp_free_port`) on `close()` or deinit.
public final class LibSerialPort: ByteStream {
    /// Hardware handshake. RS-485 has none; a bench console on a USB adapter may.
    public enum FlowControl: String, CaseIterable, Codable, Sendable {
        case none
        case rtsCts = "rts-cts"
        case dtrDsr = "dtr-dsr"
        case xonXoff = "xon-xoff"
    }

    /// The port as named in config or on the command line.
    public let name: String
    /// The device file that was opened (`/dev/ttyUSB0`).
    public let path: String
    public let settings: SerialSettings
    public let flowControl: FlowControl
    /// The RS-485 settings the kernel applied, nil when RS-485 direction control is not used.
    public private(set) var rs485: RS485Settings?

    private var port: OpaquePointer?

    /// Opens `path` read-write, 8 data bits, with `settings`, `flowControl` and, when given,
    /// kernel RS-485 direction control. `name` (default: the path) names the port in errors.
    ///
    /// Throws `HALError`: `.notFound` listing the ports present; `.invalidRequest` for a
    /// pseudo-terminal or other tty libserialport refuses (use `TermiosPort`), for a baud rate
    /// outside `SerialSettings.standardBaudRates`, or for RS-485 on a driver without it;
    /// `.errno` otherwise (EACCES: join the `dialout` group).
    ///
    /// The corresponding C functions are `sp_get_port_by_name`, `sp_open` and `sp_set_config`.
    public init(
        path: String, settings: SerialSettings, flowControl: FlowControl = .none, rs485: RS485Settings? = nil,
        name: String? = nil
    ) throws {
        self.name = name ?? path
        self.path = path
        self.settings = settings
        self.flowControl = flowControl
        guard SerialSettings.standardBaudRates.contains(settings.baud) else {
            let rates = SerialSettings.standardBaudRates.map(String.init).joined(separator: ", ")
            throw HALError(device: self.name, cause: .invalidRequest(
                "baud rate \(settings.baud) is not one of \(rates)"))
        }
        port = try Self.openPort(path: path, name: self.name)
        do {
            try configure()
            if let rs485 {
                self.rs485 = try rs485.apply(toFileDescriptor: fileDescriptor(), port: self.name)
            }
        } catch {
            close()
            throw error
        }
    }

    /// Opens the USB serial adapter whose USB serial number is `usbSerialNumber`, wherever it is
    /// plugged in. Throws `.notFound` listing the ports present when no adapter has that number.
    public convenience init(
        usbSerialNumber: String, settings: SerialSettings, flowControl: FlowControl = .none,
        rs485: RS485Settings? = nil, name: String? = nil
    ) throws {
        let path = try Self.path(forUSBSerialNumber: usbSerialNumber)
        try self.init(
            path: path, settings: settings, flowControl: flowControl, rs485: rs485,
            name: name ?? "\(path) (USB serial \(usbSerialNumber))")
    }

    deinit {
        close()
    }

    /// The device file of the USB adapter with this serial number.
    /// The corresponding C function is `sp_list_ports` (through `SerialPortInfo.list()`).
    public static func path(forUSBSerialNumber serialNumber: String) throws -> String {
        let matches = try SerialPortInfo.list().filter { $0.usbSerialNumber == serialNumber }
        guard let first = matches.first else {
            throw HALError(device: "USB serial \(serialNumber)", cause: .notFound(
                "no serial port with USB serial number '\(serialNumber)'; ports present: "
                    + SerialPortInfo.presentPortsDescription()))
        }
        guard matches.count == 1 else {
            throw HALError(device: "USB serial \(serialNumber)", cause: .invalidRequest(
                "\(matches.count) ports have USB serial number '\(serialNumber)': "
                    + matches.map(\.path).joined(separator: ", ") + "; name the port by path instead"))
        }
        return first.path
    }

    /// Writes all of `bytes` into the kernel's transmit buffer, or throws `.timeout` when the
    /// deadline passes first. Returns before the bytes are on the wire.
    ///
    /// The corresponding C function is `sp_blocking_write` (or `sp_nonblocking_write` once the
    /// deadline has passed, since a zero timeout means "forever" to libserialport).
    public func write(_ bytes: [UInt8], deadline: MonotonicInstant) throws {
        let port = try openPort()
        guard !bytes.isEmpty else { return }
        let timeout = Self.timeoutMilliseconds(from: .now(), until: deadline)
        let written = try bytes.withUnsafeBytes { raw in
            if timeout == 0 {
                return try LibSerialPortResult.check(
                    sp_nonblocking_write(port, raw.baseAddress, raw.count), call: "sp_nonblocking_write", port: name)
            }
            return try LibSerialPortResult.check(
                sp_blocking_write(port, raw.baseAddress, raw.count, timeout), call: "sp_blocking_write", port: name)
        }
        if written < bytes.count {
            throw HALError(device: name, cause: .timeout)
        }
    }

    /// Appends at most `maxCount` bytes to `buffer`: returns as soon as any byte arrives, or 0
    /// when the deadline passes. Allocation-free when `buffer` has the capacity.
    ///
    /// The corresponding C function is `sp_blocking_read_next` (or `sp_nonblocking_read` once the
    /// deadline has passed). The timeout is rounded up to whole milliseconds, so a read may end
    /// up to 1 ms after the deadline but never before it.
    public func read(into buffer: inout [UInt8], maxCount: Int, deadline: MonotonicInstant) throws -> Int {
        let port = try openPort()
        guard maxCount > 0 else { return 0 }
        let timeout = Self.timeoutMilliseconds(from: .now(), until: deadline)
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: maxCount))
        var received = 0
        defer { buffer.removeLast(maxCount - received) }
        received = try buffer.withUnsafeMutableBytes { raw in
            let space = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
            if timeout == 0 {
                return try LibSerialPortResult.check(
                    sp_nonblocking_read(port, space.baseAddress, space.count), call: "sp_nonblocking_read", port: name)
            }
            return try LibSerialPortResult.check(
                sp_blocking_read_next(port, space.baseAddress, space.count, timeout),
                call: "sp_blocking_read_next", port: name)
        }
        return received
    }

    /// Discards received bytes not read yet. The corresponding C function is `sp_flush`.
    public func discardInput() throws {
        let port = try openPort()
        try LibSerialPortResult.check(sp_flush(port, SP_BUF_INPUT), call: "sp_flush", port: name)
    }

    /// Closes the port; later calls throw `.closed`. Safe to call twice.
    /// The corresponding C functions are `sp_close` and `sp_free_port`.
    public func close() {
        guard let port else { return }
        self.port = nil
        sp_close(port)
        sp_free_port(port)
    }

    /// The port's file descriptor, for ioctls libserialport does not wrap (RS-485).
    /// The corresponding C function is `sp_get_port_handle`.
    public func fileDescriptor() throws -> Int32 {
        let port = try openPort()
        var descriptor: Int32 = -1
        try LibSerialPortResult.check(sp_get_port_handle(port, &descriptor), call: "sp_get_port_handle", port: name)
        return descriptor
    }

    /// Milliseconds from `now` until `deadline`, rounded up; 0 when the deadline has passed.
    /// libserialport's timeouts are whole milliseconds, and 0 means "wait forever" to it.
    static func timeoutMilliseconds(from now: MonotonicInstant, until deadline: MonotonicInstant) -> UInt32 {
        let nanoseconds = now.nanoseconds(until: deadline)
        let milliseconds = (nanoseconds + 999_999) / 1_000_000
        return UInt32(min(milliseconds, UInt64(UInt32.max)))
    }

    // MARK: - Private

    private func openPort() throws -> OpaquePointer {
        guard let port else {
            throw HALError(device: name, cause: .closed)
        }
        return port
    }

    /// 8 data bits always (Modbus RTU needs them); the rest from `settings` and `flowControl`.
    /// The corresponding C functions are `sp_new_config`, `sp_set_config_*` and `sp_set_config`.
    private func configure() throws {
        let port = try openPort()
        var config: OpaquePointer?
        try LibSerialPortResult.check(sp_new_config(&config), call: "sp_new_config", port: name)
        defer { sp_free_config(config) }
        let parity: sp_parity
        switch settings.parity {
        case .none: parity = SP_PARITY_NONE
        case .even: parity = SP_PARITY_EVEN
        case .odd: parity = SP_PARITY_ODD
        }
        let flow: sp_flowcontrol
        switch flowControl {
        case .none: flow = SP_FLOWCONTROL_NONE
        case .rtsCts: flow = SP_FLOWCONTROL_RTSCTS
        case .dtrDsr: flow = SP_FLOWCONTROL_DTRDSR
        case .xonXoff: flow = SP_FLOWCONTROL_XONXOFF
        }
        // Start from the port's current config so fields we do not set (DTR, RTS levels) are kept.
        try LibSerialPortResult.check(sp_get_config(port, config), call: "sp_get_config", port: name)
        try LibSerialPortResult.check(
            sp_set_config_baudrate(config, Int32(settings.baud)), call: "sp_set_config_baudrate", port: name)
        try LibSerialPortResult.check(sp_set_config_bits(config, 8), call: "sp_set_config_bits", port: name)
        try LibSerialPortResult.check(sp_set_config_parity(config, parity), call: "sp_set_config_parity", port: name)
        try LibSerialPortResult.check(
            sp_set_config_stopbits(config, Int32(settings.stopBits.rawValue)), call: "sp_set_config_stopbits", port: name)
        try LibSerialPortResult.check(
            sp_set_config_flowcontrol(config, flow), call: "sp_set_config_flowcontrol", port: name)
        try LibSerialPortResult.check(sp_set_config(port, config), call: "sp_set_config", port: name)
    }

    /// Finds and opens the port, turning libserialport's terse refusals into messages that say
    /// what the path is and what to do.
    private static func openPort(path: String, name: String) throws -> OpaquePointer {
        guard access(path, F_OK) == 0 else {
            throw HALError(device: name, cause: .notFound(
                "serial port \(path); ports present: \(SerialPortInfo.presentPortsDescription())"))
        }
        var found: OpaquePointer?
        guard sp_get_port_by_name(path, &found) == SP_OK, let port = found else {
            // It exists, but libserialport found no /sys/class/tty/<name>/device for it.
            throw refusal(path: path, name: name, reason: "it has no serial device in /sys/class/tty")
        }
        let result = sp_open(port, SP_MODE_READ_WRITE)
        if result == SP_OK {
            return port
        }
        let error = LibSerialPortResult.error(result, call: "sp_open(\(path))", port: name)
        sp_free_port(port)
        if case .errno(_, ENOTTY) = error.cause {
            throw refusal(path: path, name: name, reason: "it has no modem-control lines (TIOCMGET fails)")
        }
        throw error
    }

    private static func refusal(path: String, name: String, reason: String) -> HALError {
        let what = isPseudoTerminal(path) ? "\(path) is a pseudo-terminal" : "\(path) is not a serial port it supports"
        return HALError(device: name, cause: .invalidRequest(
            "libserialport cannot open \(path): \(what), and \(reason). "
                + "Use the termios backend (TermiosPort) for pseudo-terminals, the simulator and other ttys"))
    }

    /// True for Unix 98 pty slaves (`/dev/pts/N`) and the pty multiplexer, also through symlinks.
    private static func isPseudoTerminal(_ path: String) -> Bool {
        guard let resolved = realpath(path, nil) else { return false }
        defer { free(resolved) }
        let real = String(cString: resolved)
        return real.hasPrefix("/dev/pts/") || real == "/dev/ptmx"
    }
}
