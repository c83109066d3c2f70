import Glibc
import Testing

@testable import HAL

/// The libserialport backend on a real UART driver, with the CiA 402 drive peer at the far end:
/// enumerate, open, configure, a Modbus exchange, a CiA 402 walk, and a timeout from a unit that
/// never answers.
///
/// Runs in the hardware-in-the-loop guest (`make hil`, docs/testing.md): there `/dev/ttyS1` is
/// qemu's second 8250 UART, wired to the host, where `Tests/Peers/cia402_peer.py` serves unit 1
/// at 115200 8N2. NOT RUN elsewhere: the suite is disabled unless `SERIAL_TEST_PORT` names the
/// port, and then shows as skipped (which the guest counts as a failure).
///
/// Serialized: every test opens the one port. Waits are deadlines for replies, never sleeps.
@Suite(.serialized, .enabled(if: getenv("SERIAL_TEST_PORT") != nil, "needs SERIAL_TEST_PORT with the drive peer at the far end (make hil)"))
struct LibSerialPortDrivePeerTests {
    private let path = getenv("SERIAL_TEST_PORT").map { String(cString: $0) } ?? ""
    /// The peer's line settings: Modbus RTU without parity takes two stop bits.
    private static let settings = SerialSettings(baud: 115_200, parity: .none, stopBits: .two)
    private static let servedUnit: UInt8 = 1
    private static let silentUnit: UInt8 = 9
    /// Generous for a guest under TCG emulation; a reply on a free line comes far sooner.
    private static let responseTimeoutMilliseconds = 1000.0

    private func openBus(retries: Int = 0, timeoutMilliseconds: Double = responseTimeoutMilliseconds) throws
        -> (LibSerialPort, ModbusRTUClient)
    {
        let port = try LibSerialPort(path: path, settings: Self.settings)
        try port.discardInput()
        let client = ModbusRTUClient(
            stream: port, settings: Self.settings,
            options: .init(responseTimeoutMilliseconds: timeoutMilliseconds, maxRetries: retries), busName: "bus0")
        return (port, client)
    }

    private func deadline() -> MonotonicInstant { .inMilliseconds(10_000) }

    @Test func test_theUARTIsListedAsANativePort() throws {
        let ports = try SerialPortInfo.list()
        let port = try #require(ports.first { $0.path == path }, "\(path) not in \(ports.map(\.path))")
        #expect(port.transport == .native)
        #expect(port.usbVIDPID == nil)
    }

    @Test func test_theUARTOpensWithTheRequestedSettings() throws {
        let port = try LibSerialPort(path: path, settings: Self.settings)
        defer { port.close() }
        #expect(port.settings == Self.settings)
        #expect(port.name == path)
    }

    @Test(arguments: [
        SerialSettings(baud: 115_200, parity: .none, stopBits: .two),
        SerialSettings(baud: 19_200, parity: .even, stopBits: .one),
    ])
    func test_theKernelDriverHoldsTheConfiguredLineSettings(settings: SerialSettings) throws {
        let port = try LibSerialPort(path: path, settings: settings)
        defer { port.close() }
        let line = try KernelLineSettings(path: path)
        #expect(line.baud == settings.baud)
        #expect(line.parity == settings.parity)
        #expect(line.stopBits == settings.stopBits)
        #expect(line.dataBitsAre8)
    }

    @Test func test_aStatuswordReadGetsTheBootedDrivesAnswer() throws {
        let (port, client) = try openBus()
        defer { port.close() }
        let reply = try client.send(.readHoldingRegisters(address: 0x6041, count: 1), to: Self.servedUnit)
        #expect(reply.registers.count == 1)
        #expect(reply.registers.first.flatMap { CiA402State(statusword: $0) } == .switchOnDisabled)
        #expect(client.statistics.timeouts == 0)
    }

    @Test func test_aWrittenRegisterReadsBack() throws {
        let (port, client) = try openBus()
        defer { port.close() }
        let profileVelocityHighWord: UInt16 = 0x6081  // 32-bit object, high word first
        let written = try client.send(
            .writeMultipleRegisters(address: profileVelocityHighWord, values: [0, 12_345]), to: Self.servedUnit)
        #expect(written == .wroteRegisters(address: profileVelocityHighWord, count: 2))
        let read = try client.send(.readHoldingRegisters(address: profileVelocityHighWord, count: 2), to: Self.servedUnit)
        #expect(read.registers == [0, 12_345])
    }

    @Test func test_theDriveWalksToOperationEnabledAndBack() throws {
        let (port, client) = try openBus(retries: 1)
        defer { port.close() }
        let drive = try ModbusCiA402Drive(
            name: "plank", client: client, unit: Self.servedUnit,
            scaling: DriveScaling(countsPerMM: 100, ratedCurrentMilliamps: 2000))
        try drive.enable(deadline: deadline())
        #expect(try drive.readState(deadline: deadline()) == .operationEnabled)
        try drive.disable(deadline: deadline())
        #expect(try drive.readState(deadline: deadline()) == .switchOnDisabled)
        #expect(client.statistics.failedRequests == 0)
    }

    @Test func test_aUnitThatNeverAnswersTimesOutAfterEveryAttemptNamingTheUnit() throws {
        let (port, client) = try openBus(retries: 1, timeoutMilliseconds: 100)
        defer { port.close() }
        let error = #expect(throws: HALError.self) {
            try client.send(.readHoldingRegisters(address: 0x6041, count: 1), to: Self.silentUnit)
        }
        #expect(error == HALError(device: "bus0 unit \(Self.silentUnit)", cause: .timeout))
        #expect(client.statistics.timeouts == 2)
        // The line is still good: the served unit answers the next request.
        let reply = try client.send(.readHoldingRegisters(address: 0x6041, count: 1), to: Self.servedUnit)
        #expect(reply.registers.count == 1)
    }
}

/// The line settings the tty driver holds for `path`, read with tcgetattr on a second descriptor:
/// what libserialport actually configured, not what it was asked for.
private struct KernelLineSettings {
    var baud: Int?
    var parity: SerialSettings.Parity
    var stopBits: SerialSettings.StopBits
    var dataBitsAre8: Bool

    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { throw HALError(device: path, cause: .errno(call: "open", code: errno)) }
        defer { close(descriptor) }
        var attributes = termios()
        guard tcgetattr(descriptor, &attributes) == 0 else {
            throw HALError(device: path, cause: .errno(call: "tcgetattr", code: errno))
        }
        let speeds: [speed_t: Int] = [
            speed_t(B9600): 9600, speed_t(B19200): 19_200, speed_t(B38400): 38_400,
            speed_t(B57600): 57_600, speed_t(B115200): 115_200, speed_t(B230400): 230_400,
        ]
        baud = speeds[cfgetospeed(&attributes)]
        let flags = attributes.c_cflag
        if flags & tcflag_t(PARENB) == 0 {
            parity = .none
        } else {
            parity = flags & tcflag_t(PARODD) == 0 ? .even : .odd
        }
        stopBits = flags & tcflag_t(CSTOPB) == 0 ? .one : .two
        dataBitsAre8 = flags & tcflag_t(CSIZE) == tcflag_t(CS8)
    }
}
