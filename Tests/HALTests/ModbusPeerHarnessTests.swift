import Foundation
import Glibc
import Testing

/// Proves the test bus itself (socat + the Python CiA 402 peer), with hand-made bytes and no
/// code of ours in between: if these fail, the Modbus client tests cannot be trusted either.
@Suite("ModbusPeerHarness")
struct ModbusPeerHarnessTests {
    @Test("a raw FC 0x03 read of the statusword gets a well-formed reply")
    func rawStatuswordReadGetsWellFormedReply() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let port = try RawPort(path: harness.clientPath)
        defer { port.close() }

        // unit 1, read holding registers, address 0x6041, quantity 1
        try port.write(withCRC([0x01, 0x03, 0x60, 0x41, 0x00, 0x01]))
        let reply = try port.read(count: 7, timeoutMilliseconds: 1000)

        #expect(reply.count == 7)
        #expect(Array(reply.prefix(3)) == [0x01, 0x03, 0x02])  // unit, function, byte count
        #expect(Array(reply.suffix(2)) == crcBytes(Array(reply.prefix(5))))
        let statusword = UInt16(reply[3]) << 8 | UInt16(reply[4])
        #expect(statusword & 0x004F == 0x0040)  // switch on disabled
        #expect(try harness.send("get 1 0x6041") == ["value \(statusword)"])
    }

    @Test("a refused command and a peer that cannot start both fail loudly")
    func failuresAreReported() throws {
        let harness = try ModbusPeerHarness(units: [3])
        defer { harness.stop() }
        #expect(throws: ModbusPeerHarness.Failure.self) { try harness.send("get 9 0x6041") }

        // Unit 0 is broadcast, so the peer refuses to serve it and exits during start-up.
        do {
            _ = try ModbusPeerHarness(units: [0])
            Issue.record("a peer serving unit 0 should not start")
        } catch let failure as ModbusPeerHarness.Failure {
            #expect(String(describing: failure).contains("unit addresses are 1..247"))
        }
    }
}

/// The client end of the pty, opened raw with termios; just enough to push bytes through.
private final class RawPort {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_RDWR | O_NOCTTY)
        guard descriptor >= 0 else { throw PortError(call: "open", code: errno) }
        var settings = termios()
        guard tcgetattr(descriptor, &settings) == 0 else { throw PortError(call: "tcgetattr", code: errno) }
        cfmakeraw(&settings)
        cfsetspeed(&settings, speed_t(B115200))
        guard tcsetattr(descriptor, TCSANOW, &settings) == 0 else { throw PortError(call: "tcsetattr", code: errno) }
        tcflush(descriptor, TCIOFLUSH)
    }

    func write(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw PortError(call: "write", code: errno) }
    }

    /// Reads until `count` bytes arrived or the timeout passed; returns what arrived.
    func read(count: Int, timeoutMilliseconds: Int) throws -> [UInt8] {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while received.count < count {
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            if remaining == 0 { break }
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&request, 1, remaining) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 256)
            let got = Glibc.read(descriptor, &chunk, chunk.count)
            guard got > 0 else { throw PortError(call: "read", code: errno) }
            received.append(contentsOf: chunk[..<got])
        }
        return received
    }

    func close() {
        Glibc.close(descriptor)
    }
}

private struct PortError: Error {
    var call: String
    var code: Int32
}

/// Modbus CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF), low byte first on the wire.
private func crcBytes(_ bytes: [UInt8]) -> [UInt8] {
    var crc: UInt16 = 0xFFFF
    for byte in bytes {
        crc ^= UInt16(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0xA001 : crc >> 1
        }
    }
    return [UInt8(crc & 0xFF), UInt8(crc >> 8)]
}

private func withCRC(_ bytes: [UInt8]) -> [UInt8] {
    bytes + crcBytes(bytes)
}
