import Testing

@testable import HAL

/// Our termios port and Modbus RTU client against an independent peer: pymodbus's RTU framing
/// and a CiA 402 register map written from the standards (Tests/Peers/cia402_peer.py), over a
/// socat pty pair. Every function code, exceptions, a silent unit, damaged replies.
///
/// Serialized: each test starts its own peer, and timeouts mean something only on an idle box.
@Suite(.serialized) struct ModbusPeerIntegrationTests {
    /// The peer serves 8N2 (11 bits per character, as the serial line spec asks without parity).
    static let settings = SerialSettings(baud: 115_200, parity: .none, stopBits: .two)

    private func openClient(
        _ harness: ModbusPeerHarness, timeoutMilliseconds: Double = 1000, retries: Int = 2
    ) throws -> (TermiosPort, ModbusRTUClient) {
        let port = try TermiosPort(path: harness.clientPath, settings: Self.settings)
        let client = ModbusRTUClient(
            stream: port, settings: Self.settings,
            options: .init(responseTimeoutMilliseconds: timeoutMilliseconds, maxRetries: retries),
            busName: "bus0")
        return (port, client)
    }

    /// The peer's own view of an object, via its `get` command.
    private func peerValue(_ harness: ModbusPeerHarness, unit: Int, index: String) throws -> String? {
        try harness.send("get \(unit) \(index)").first
    }

    @Test func everyFunctionCodeIsUnderstoodByAnIndependentPeer() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openClient(harness)
        defer { port.close() }

        // FC 0x03: the statusword after boot is switch_on_disabled, as the peer says.
        let statusword = try client.readHoldingRegisters(unit: 1, address: 0x6041, count: 1)
        #expect(CiA402State(statusword: statusword[0]) == .switchOnDisabled)
        #expect(try peerValue(harness, unit: 1, index: "0x6041") == "value \(statusword[0])")

        // FC 0x04: the same map, read-only.
        #expect(try client.readInputRegisters(unit: 1, address: 0x6041, count: 1) == statusword)

        // FC 0x06: mode of operation = profile velocity.
        try client.writeSingleRegister(unit: 1, address: 0x6060, value: 3)
        #expect(try peerValue(harness, unit: 1, index: "0x6060") == "value 3")

        // FC 0x10: a signed 32-bit target, high word first.
        try client.writeMultipleRegisters(unit: 1, address: 0x60FF, values: [0xFFFF, 0xFC18])
        #expect(try peerValue(harness, unit: 1, index: "0x60FF") == "value -1000")

        // FC 0x03 over a span of three objects: error code, controlword, statusword.
        // (The mode-specific statusword bits changed with the mode; the state did not.)
        let span = try client.readHoldingRegisters(unit: 1, address: 0x603F, count: 3)
        #expect(span.count == 3)
        #expect(span[0] == 0)
        #expect(CiA402State(statusword: span[2]) == .switchOnDisabled)
        #expect(try peerValue(harness, unit: 1, index: "0x6041") == "value \(span[2])")

        // FC 0x17: shutdown, and the statusword read back in the same transaction already
        // shows ready_to_switch_on (the spec has the server write before it reads).
        let readBack = try client.readWriteMultipleRegisters(
            unit: 1, readAddress: 0x6041, readCount: 1, writeAddress: 0x6040, values: [0x0006])
        #expect(CiA402State(statusword: readBack[0]) == .readyToSwitchOn)
        #expect(try peerValue(harness, unit: 1, index: "0x6040") == "value 6")

        let statistics = client.statistics
        #expect(statistics.requests == 6)
        #expect(statistics.failedRequests == 0)
        #expect(statistics.retries == 0)
        #expect(statistics.roundTripMicroseconds.totalCount == 6)
    }

    @Test func exceptionRepliesAreReportedWithFunctionAndCodeAndNotRetried() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openClient(harness)
        defer { port.close() }

        // 0x6042 is no object: illegal data address.
        var error = #expect(throws: HALError.self) { try client.readHoldingRegisters(unit: 1, address: 0x6042, count: 1) }
        #expect(error == HALError(device: "bus0 unit 1", cause: .modbusException(function: 0x03, code: 0x02)))

        // The statusword is read-only: illegal data address for a write.
        error = #expect(throws: HALError.self) { try client.writeSingleRegister(unit: 1, address: 0x6041, value: 0) }
        #expect(error?.cause == .modbusException(function: 0x06, code: 0x02))

        // Mode 7 is not supported by the drive: server device failure.
        error = #expect(throws: HALError.self) { try client.writeSingleRegister(unit: 1, address: 0x6060, value: 7) }
        #expect(error?.cause == .modbusException(function: 0x06, code: 0x04))

        // Half of a 32-bit object: illegal data address, for 0x17 too.
        error = #expect(throws: HALError.self) {
            try client.readWriteMultipleRegisters(unit: 1, readAddress: 0x6064, readCount: 1, writeAddress: 0x6040, values: [0])
        }
        #expect(error?.cause == .modbusException(function: 0x17, code: 0x02))

        #expect(client.statistics.exceptions == 4)
        #expect(client.statistics.retries == 0)
        // The bus is fine afterwards.
        #expect(try client.readHoldingRegisters(unit: 1, address: 0x6041, count: 1).count == 1)
    }

    @Test func silentUnitTimesOutOnEveryAttemptAndTheRetriesAreCounted() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openClient(harness, timeoutMilliseconds: 30, retries: 2)
        defer { port.close() }

        try harness.send("silent 1 on")
        let error = #expect(throws: HALError.self) { try client.readHoldingRegisters(unit: 1, address: 0x6041, count: 1) }
        #expect(error == HALError(device: "bus0 unit 1", cause: .timeout))
        let statistics = client.statistics
        #expect(statistics.requests == 1)
        #expect(statistics.timeouts == 3)
        #expect(statistics.retries == 2)
        #expect(statistics.failedRequests == 1)

        // Back on, it answers again (a patient client on the same port: this part is not about
        // timeouts, and a loaded test machine may be slow).
        try harness.send("silent 1 off")
        let patient = ModbusRTUClient(
            stream: port, settings: Self.settings, options: .init(responseTimeoutMilliseconds: 1000), busName: "bus0")
        #expect(try patient.readHoldingRegisters(unit: 1, address: 0x6041, count: 1).count == 1)
    }

    @Test func unitNotOnTheBusTimesOutWhileTheOtherAnswers() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openClient(harness, timeoutMilliseconds: 1000, retries: 2)
        defer { port.close() }
        // The caller's deadline bounds the wait (and the retries), whatever the client's own
        // timeout. (The retries matter for the next read: on a loaded machine the peer process
        // may pick up both requests in one read and drop the second with the foreign first.)
        #expect(throws: HALError(device: "bus0 unit 9", cause: .timeout)) {
            try client.readHoldingRegisters(unit: 9, address: 0x6041, count: 1, deadline: .inMilliseconds(30))
        }
        #expect(try client.readHoldingRegisters(unit: 1, address: 0x6041, count: 1).count == 1)
    }

    @Test func corruptedRepliesAreCountedAsCrcErrorsAndRetried() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openClient(harness, retries: 2)
        defer { port.close() }
        let expected = try client.readHoldingRegisters(unit: 1, address: 0x6041, count: 1)

        try harness.send("corrupt 2")
        #expect(try client.readHoldingRegisters(unit: 1, address: 0x6041, count: 1) == expected)
        #expect(client.statistics.crcErrors == 2)
        #expect(client.statistics.retries == 2)

        try harness.send("corrupt 3")
        let error = #expect(throws: HALError.self) { try client.readHoldingRegisters(unit: 1, address: 0x6041, count: 1) }
        #expect(error?.cause == .protocolViolation("bad CRC"))
        #expect(client.statistics.crcErrors == 5)
        #expect(client.statistics.failedRequests == 1)
    }

    @Test func truncatedRepliesAreShortFramesNeverData() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openClient(harness, timeoutMilliseconds: 300, retries: 1)
        defer { port.close() }
        let expected = try client.readHoldingRegisters(unit: 1, address: 0x603F, count: 3)

        try harness.send("garble 1")
        #expect(try client.readHoldingRegisters(unit: 1, address: 0x603F, count: 3) == expected)
        #expect(client.statistics.protocolErrors == 1)

        try harness.send("garble 2")
        let error = #expect(throws: HALError.self) { try client.readHoldingRegisters(unit: 1, address: 0x603F, count: 3) }
        #expect(error?.cause == .protocolViolation("short frame: 8 of 11 bytes"))
        #expect(client.statistics.protocolErrors == 3)
    }
}
