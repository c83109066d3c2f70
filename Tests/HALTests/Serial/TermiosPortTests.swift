import Glibc
import Testing

@testable import HAL

/// The termios backend on a pseudo-terminal pair: the test holds the master side and plays the
/// far end of the line.
@Suite struct TermiosPortTests {
    /// A pty pair from `openpty`; `path` is the slave the port opens.
    private final class PtyPair {
        var master: Int32 = -1
        let path: String

        init() throws {
            var master: Int32 = -1
            var slave: Int32 = -1
            var name = [CChar](repeating: 0, count: 128)
            guard openpty(&master, &slave, &name, nil, nil) == 0 else {
                throw HALError(device: "openpty", cause: .errno(call: "openpty", code: errno))
            }
            self.master = master
            // The port opens the slave by path; the master keeps the pair alive.
            Glibc.close(slave)
            self.path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        func send(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
        }

        /// Reads what the port wrote, waiting until `count` bytes arrived (or a generous limit).
        func receive(_ count: Int) -> [UInt8] {
            var received: [UInt8] = []
            let giveUp = MonotonicInstant.inMilliseconds(5000)
            while received.count < count && MonotonicInstant.now() < giveUp {
                var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 100) > 0 else { continue }
                var chunk = [UInt8](repeating: 0, count: count - received.count)
                let n = chunk.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
                if n > 0 { received += chunk.prefix(n) }
            }
            return received
        }

        func closeMaster() {
            if master >= 0 { Glibc.close(master) }
            master = -1
        }

        deinit { closeMaster() }
    }

    @Test func bytesWrittenArriveAtTheFarEndUnchangedIncludingControlCharacters() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, settings: SerialSettings(baud: 115_200))
        defer { port.close() }
        // XON/XOFF, CR, LF, NUL and 0xFF must pass raw: a Modbus frame may hold any of them.
        let frame: [UInt8] = [0x11, 0x13, 0x0D, 0x0A, 0x00, 0xFF, 0x03, 0x7F]
        try port.write(frame, deadline: .inMilliseconds(1000))
        #expect(pty.receive(frame.count) == frame)
    }

    @Test func bytesFromTheFarEndAreReadRawAndAppended() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, settings: SerialSettings(baud: 9600, parity: .even, stopBits: .two))
        defer { port.close() }
        let frame: [UInt8] = [0x01, 0x83, 0x02, 0x0D, 0x11, 0x13]
        pty.send(frame)
        var buffer: [UInt8] = [0xAA]
        while buffer.count < frame.count + 1 {
            let count = try port.read(into: &buffer, maxCount: 64, deadline: .inMilliseconds(1000))
            #expect(count > 0)
            if count == 0 { break }
        }
        #expect(buffer == [0xAA] + frame)
    }

    @Test func readNeverTakesMoreThanMaxCount() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, settings: SerialSettings())
        defer { port.close() }
        pty.send([1, 2, 3, 4, 5])
        var buffer: [UInt8] = []
        let count = try port.read(into: &buffer, maxCount: 2, deadline: .inMilliseconds(1000))
        #expect(count <= 2)
        #expect(buffer.count == count)
    }

    @Test func readWithNothingArrivingReturnsZeroAtTheDeadline() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, settings: SerialSettings())
        defer { port.close() }
        var buffer: [UInt8] = []
        #expect(try port.read(into: &buffer, maxCount: 8, deadline: .inMilliseconds(5)) == 0)
        #expect(buffer.isEmpty)
    }

    @Test func discardInputDropsWhatWasReceived() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, settings: SerialSettings())
        defer { port.close() }
        pty.send([0xDE, 0xAD])
        // Make sure the bytes are in the port's input queue before discarding them.
        var descriptor = pollfd(fd: -1, events: 0, revents: 0)
        _ = poll(&descriptor, 0, 20)
        try port.discardInput()
        var buffer: [UInt8] = []
        #expect(try port.read(into: &buffer, maxCount: 8, deadline: .inMilliseconds(5)) == 0)
    }

    @Test func farEndHangingUpIsClosed() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, settings: SerialSettings())
        defer { port.close() }
        pty.closeMaster()
        var buffer: [UInt8] = []
        let error = #expect(throws: HALError.self) {
            _ = try port.read(into: &buffer, maxCount: 8, deadline: .inMilliseconds(1000))
        }
        #expect(error == HALError(device: pty.path, cause: .closed))
    }

    @Test func callsAfterCloseThrowClosed() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, settings: SerialSettings())
        port.close()
        port.close()
        #expect(throws: HALError(device: pty.path, cause: .closed)) {
            try port.write([1], deadline: .inMilliseconds(10))
        }
        #expect(throws: HALError(device: pty.path, cause: .closed)) { try port.discardInput() }
    }

    @Test func unsupportedBaudIsAnInvalidRequestNamingThePort() {
        let error = #expect(throws: HALError.self) {
            try TermiosPort(path: "/dev/ttyUSB-stow-missing", settings: SerialSettings(baud: 12_345))
        }
        #expect(error?.device == "/dev/ttyUSB-stow-missing")
        guard case let .invalidRequest(what)? = error?.cause else {
            Issue.record("expected .invalidRequest, got \(String(describing: error))")
            return
        }
        #expect(what.hasPrefix("baud 12345 is not supported on /dev/ttyUSB-stow-missing"))
    }

    @Test(arguments: SerialSettings.standardBaudRates)
    func everyStandardBaudRateIsAccepted(baud: Int) throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, settings: SerialSettings(baud: baud, parity: .odd))
        port.close()
    }

    @Test func missingPortIsNotFound() {
        #expect(throws: HALError(device: "/dev/ttyUSB-stow-missing", cause: .notFound("serial port /dev/ttyUSB-stow-missing"))) {
            try TermiosPort(path: "/dev/ttyUSB-stow-missing", settings: SerialSettings())
        }
    }

    @Test func secondOpenOfTheSamePortIsBusy() throws {
        let pty = try PtyPair()
        let first = try TermiosPort(path: pty.path, settings: SerialSettings())
        defer { first.close() }
        let error = #expect(throws: HALError.self) { try TermiosPort(path: pty.path, settings: SerialSettings()) }
        guard case .busy? = error?.cause else {
            Issue.record("expected .busy, got \(String(describing: error))")
            return
        }
    }

    @Test func interFrameGapIsThreeAndAHalfCharactersUpTo19200AndFixedAbove() {
        // 9600 8N1: 10 bits per character, 1041666 ns each.
        #expect(SerialSettings(baud: 9600).modbusInterFrameGapNanoseconds == 3_645_831)
        // 19200 8E1: 11 bits per character.
        #expect(SerialSettings(baud: 19200, parity: .even).characterTimeNanoseconds == 572_916)
        #expect(SerialSettings(baud: 19200, parity: .even).modbusInterFrameGapNanoseconds == 2_005_206)
        #expect(SerialSettings(baud: 38400).modbusInterFrameGapNanoseconds == 1_750_000)
        #expect(SerialSettings(baud: 921_600).modbusInterFrameGapNanoseconds == 1_750_000)
        #expect(SerialSettings(baud: 115_200, parity: .odd, stopBits: .two).description == "115200 8O2")
    }
}
