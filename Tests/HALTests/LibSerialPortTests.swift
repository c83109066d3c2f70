import Glibc
import Testing

@testable import HAL

/// The libserialport backend where no serial hardware is needed: listing, refusals, not-found
/// errors, RS-485 on a tty without it, and the deadline arithmetic.
@Suite struct LibSerialPortTests {
    @Test func test_listingSerialPortsSucceedsAndNeverListsPseudoTerminals() throws {
        let ports = try SerialPortInfo.list()  // may be empty: that is a valid answer
        for port in ports {
            #expect(port.path.hasPrefix("/dev/"))
            #expect(!port.path.hasPrefix("/dev/pts/"))
            if port.transport != .usb {
                #expect(port.usbVIDPID == nil)
            }
        }
        #expect(ports.map(\.path) == ports.map(\.path).sorted())
    }

    @Test func test_openingAPseudoTerminalIsRefusedNamingItAndPointingAtTermios() throws {
        let pty = try PseudoTerminal()
        defer { pty.close() }
        let error = #expect(throws: HALError.self) {
            try LibSerialPort(path: pty.path, settings: SerialSettings())
        }
        #expect(error?.device == pty.path)
        guard case let .invalidRequest(what)? = error?.cause else {
            Issue.record("expected .invalidRequest, got \(String(describing: error))")
            return
        }
        #expect(what.contains("\(pty.path) is a pseudo-terminal"))
        #expect(what.contains("termios backend"))
    }

    @Test func test_openingAMissingPathIsNotFoundAndListsThePortsPresent() {
        let error = #expect(throws: HALError.self) {
            try LibSerialPort(path: "/dev/ttyUSB-stowctl-missing", settings: SerialSettings())
        }
        guard case let .notFound(what)? = error?.cause else {
            Issue.record("expected .notFound, got \(String(describing: error))")
            return
        }
        #expect(what.contains("/dev/ttyUSB-stowctl-missing"))
        #expect(what.contains("ports present: "))
    }

    @Test func test_openingAMissingUSBSerialNumberIsNotFoundAndListsThePortsPresent() {
        let error = #expect(throws: HALError.self) {
            try LibSerialPort(usbSerialNumber: "STOWCTL-NO-SUCH-ADAPTER", settings: SerialSettings())
        }
        #expect(error?.device == "USB serial STOWCTL-NO-SUCH-ADAPTER")
        guard case let .notFound(what)? = error?.cause else {
            Issue.record("expected .notFound, got \(String(describing: error))")
            return
        }
        #expect(what.contains("'STOWCTL-NO-SUCH-ADAPTER'"))
        #expect(what.contains("ports present: "))
    }

    @Test func test_aNonStandardBaudRateIsRejectedBeforeThePortIsTouched() {
        let error = #expect(throws: HALError.self) {
            try LibSerialPort(path: "/dev/ttyUSB-stowctl-missing", settings: SerialSettings(baud: 12345))
        }
        guard case let .invalidRequest(what)? = error?.cause else {
            Issue.record("expected .invalidRequest, got \(String(describing: error))")
            return
        }
        #expect(what.contains("12345"))
    }

    @Test func test_rs485OnATtyWithoutItSaysTheDriverCannotAndWhatToDo() throws {
        let pty = try PseudoTerminal()
        defer { pty.close() }
        let error = #expect(throws: HALError.self) {
            try RS485Settings().apply(toFileDescriptor: pty.slave, port: pty.path)
        }
        #expect(error?.device == pty.path)
        guard case let .invalidRequest(what)? = error?.cause else {
            Issue.record("expected .invalidRequest, got \(String(describing: error))")
            return
        }
        #expect(what.contains("does not support RS-485"))
        #expect(what.contains("leave rs485 unset"))
    }

    @Test func test_timeoutsRoundUpToWholeMillisecondsAndAPassedDeadlineIsZero() {
        let now = MonotonicInstant(nanoseconds: 5_000_000_000)
        #expect(LibSerialPort.timeoutMilliseconds(from: now, until: now) == 0)
        #expect(LibSerialPort.timeoutMilliseconds(from: now, until: now.adding(nanoseconds: 1)) == 1)
        #expect(LibSerialPort.timeoutMilliseconds(from: now, until: now.adding(nanoseconds: 1_000_000)) == 1)
        #expect(LibSerialPort.timeoutMilliseconds(from: now, until: now.adding(nanoseconds: 1_000_001)) == 2)
        #expect(LibSerialPort.timeoutMilliseconds(from: now.adding(nanoseconds: 7), until: now) == 0)
    }

    @Test func test_aUSBPortIsSummarisedWithVIDPIDAndSerialNumber() {
        let port = SerialPortInfo(
            path: "/dev/ttyUSB0", portDescription: "FT232R USB UART", transport: .usb,
            usbVendorID: 0x0403, usbProductID: 0x6001, usbSerialNumber: "A10K3XYZ")
        #expect(port.usbVIDPID == "0403:6001")
        #expect(port.summary == "/dev/ttyUSB0 (FT232R USB UART, USB 0403:6001, serial A10K3XYZ)")
    }
}

/// A real serial port, when one is named: `SERIAL_TEST_PORT=/dev/ttyS1` (qemu's second UART).
/// NOT RUN here: this VM's only UART is its console, which tests must not reconfigure.
@Suite(.serialized, .enabled(if: getenv("SERIAL_TEST_PORT") != nil, "needs SERIAL_TEST_PORT naming a UART that is not the console"))
struct LibSerialPortHardwareTests {
    private let path = getenv("SERIAL_TEST_PORT").map { String(cString: $0) } ?? ""

    @Test func test_aReadWithNothingArrivingReturnsZeroAtTheDeadlineNotBefore() throws {
        let port = try LibSerialPort(path: path, settings: SerialSettings(baud: 115_200, parity: .even))
        defer { port.close() }
        try port.discardInput()
        var buffer: [UInt8] = []
        let deadline = MonotonicInstant.inMilliseconds(50)
        let count = try port.read(into: &buffer, maxCount: 16, deadline: deadline)
        #expect(count == 0)
        #expect(buffer.isEmpty)
        #expect(MonotonicInstant.now() >= deadline)
    }

    @Test func test_aWriteWithinItsDeadlineSucceeds() throws {
        let port = try LibSerialPort(path: path, settings: SerialSettings())
        defer { port.close() }
        try port.write([0x01, 0x03, 0x00, 0x00], deadline: .inMilliseconds(100))
    }

    @Test func test_rs485EitherAppliesOrFailsWithTheClearError() throws {
        do {
            let port = try LibSerialPort(path: path, settings: SerialSettings(), rs485: RS485Settings())
            defer { port.close() }
            #expect(port.rs485?.enabled == true)
        } catch let error as HALError {
            guard case let .invalidRequest(what) = error.cause else {
                Issue.record("expected applied or .invalidRequest, got \(error)")
                return
            }
            #expect(what.contains("does not support RS-485"))
        }
    }

    @Test func test_callsAfterCloseThrowClosed() throws {
        let port = try LibSerialPort(path: path, settings: SerialSettings())
        port.close()
        #expect(throws: HALError(device: path, cause: .closed)) { try port.discardInput() }
    }
}

/// A pseudo-terminal pair from /dev/ptmx, closed by `close()`.
///
/// Glibc as Swift imports it hides `posix_openpt`/`grantpt`/`unlockpt`/`ptsname` (they need
/// _XOPEN_SOURCE), so this does what they do: unlock the pty (TIOCSPTLCK) and ask its number
/// (TIOCGPTN). The request numbers are asm-generic's, the same on x86_64 and arm64.
private struct PseudoTerminal {
    let master: Int32
    let slave: Int32
    let path: String

    init() throws {
        let unlockRequest: UInt = 0x4004_5431  // TIOCSPTLCK = _IOW('T', 0x31, int)
        let numberRequest: UInt = 0x8004_5430  // TIOCGPTN = _IOR('T', 0x30, unsigned int)
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: Int32 = 0
        guard master >= 0, ioctl(master, unlockRequest, &unlock) == 0, ioctl(master, numberRequest, &number) == 0 else {
            throw HALError(device: "/dev/ptmx", cause: .errno(call: "open/ioctl", code: errno))
        }
        path = "/dev/pts/\(number)"
        slave = open(path, O_RDWR | O_NOCTTY)
        guard slave >= 0 else {
            throw HALError(device: path, cause: .errno(call: "open", code: errno))
        }
    }

    func close() {
        Glibc.close(slave)
        Glibc.close(master)
    }
}
