import Testing

@testable import HAL

/// The client's transaction logic on an in-memory line: retries, timeouts, resync after foreign
/// frames and echoes, statistics. Timing-free: the scripted line never waits.
@Suite struct ModbusRTUClientTests {
    private let settings = SerialSettings(baud: 115_200)
    private let readTwo = ModbusRequest.readHoldingRegisters(address: 0x6041, count: 2)

    private func framed(_ body: [UInt8]) -> [UInt8] {
        var frame = body
        CRC16.append(to: &frame)
        return frame
    }

    private var goodReadReply: [UInt8] { framed([0x01, 0x03, 0x04, 0x02, 0x37, 0x00, 0x2A]) }

    private func client(_ line: ScriptedLine, retries: Int = 2) -> ModbusRTUClient {
        ModbusRTUClient(stream: line, settings: settings, options: .init(responseTimeoutMilliseconds: 20, maxRetries: retries))
    }

    @Test func readReturnsTheRegistersOfAWellFormedReplyArrivingByteByByte() throws {
        let reply = goodReadReply
        let line = ScriptedLine { _ in reply }
        line.bytesPerRead = 1
        let registers = try client(line).readHoldingRegisters(unit: 1, address: 0x6041, count: 2)
        #expect(registers == [0x0237, 0x002A])
        #expect(line.written == [try readTwo.encode(unit: 1)])
    }

    @Test func staleInputIsDiscardedBeforeEachRequest() throws {
        let reply = goodReadReply
        let line = ScriptedLine { _ in reply }
        line.pending = framed([0x01, 0x03, 0x04, 0xDE, 0xAD, 0xBE, 0xEF])  // a late reply to an old request
        let modbus = client(line)
        #expect(try modbus.readHoldingRegisters(unit: 1, address: 0x6041, count: 2) == [0x0237, 0x002A])
        _ = try modbus.readHoldingRegisters(unit: 1, address: 0x6041, count: 2)
        #expect(line.discards >= 2)
    }

    @Test func silentUnitTimesOutAfterEveryRetryAndCountsThem() {
        let line = ScriptedLine { _ in [] }
        let modbus = client(line, retries: 2)
        let error = #expect(throws: HALError.self) { try modbus.send(readTwo, to: 1) }
        #expect(error == HALError(device: "scripted unit 1", cause: .timeout))
        #expect(line.written.count == 3)
        let statistics = modbus.statistics
        #expect(statistics.requests == 1)
        #expect(statistics.retries == 2)
        #expect(statistics.timeouts == 3)
        #expect(statistics.failedRequests == 1)
        #expect(statistics.roundTripMicroseconds.totalCount == 0)
    }

    @Test func badCrcIsRetriedAndCountedThenTheGoodReplyIsUsed() throws {
        var replies = [goodReadReply, goodReadReply]
        replies[0][replies[0].count - 1] ^= 0xFF
        let line = ScriptedLine { _ in replies.removeFirst() }
        let modbus = client(line)
        #expect(try modbus.readHoldingRegisters(unit: 1, address: 0x6041, count: 2) == [0x0237, 0x002A])
        let statistics = modbus.statistics
        #expect(statistics.crcErrors == 1)
        #expect(statistics.retries == 1)
        #expect(statistics.failedRequests == 0)
        #expect(statistics.roundTripMicroseconds.totalCount == 1)
    }

    @Test func crcErrorsOnEveryAttemptEndInAProtocolViolation() {
        var bad = goodReadReply
        bad[3] ^= 0x01
        let line = ScriptedLine { _ in bad }
        let modbus = client(line, retries: 1)
        let error = #expect(throws: HALError.self) { try modbus.send(readTwo, to: 1) }
        #expect(error?.cause == .protocolViolation("bad CRC"))
        #expect(modbus.statistics.crcErrors == 2)
        #expect(modbus.statistics.failedRequests == 1)
    }

    @Test func exceptionReplyIsReportedAndNotRetried() {
        let exception = framed([0x01, 0x83, 0x02])
        let line = ScriptedLine { _ in exception }
        let modbus = client(line)
        let error = #expect(throws: HALError.self) { try modbus.send(readTwo, to: 1) }
        #expect(error == HALError(device: "scripted unit 1", cause: .modbusException(function: 0x03, code: 0x02)))
        #expect(line.written.count == 1)
        #expect(modbus.statistics.exceptions == 1)
        #expect(modbus.statistics.retries == 0)
    }

    @Test func ownEchoBeforeTheReplyIsSkipped() throws {
        let reply = goodReadReply
        let line = ScriptedLine { request in request + reply }
        let modbus = client(line)
        #expect(try modbus.readHoldingRegisters(unit: 1, address: 0x6041, count: 2) == [0x0237, 0x002A])
        #expect(modbus.statistics.echoesSkipped == 1)
        #expect(modbus.statistics.retries == 0)
    }

    @Test func ownEchoOfAWriteMultipleIsSkippedThoughTheReplyStartsLikeIt() throws {
        let unit = RegisterFileUnit(unit: 1)
        let line = ScriptedLine { request in request + unit.answer(request) }
        line.bytesPerRead = 3
        let modbus = client(line)
        try modbus.writeMultipleRegisters(unit: 1, address: 0x607A, values: [0x0001, 0x86A0])
        #expect(unit.registers[0x607A] == 0x0001 && unit.registers[0x607B] == 0x86A0)
        #expect(modbus.statistics.echoesSkipped == 1)
    }

    @Test func echoOfAWriteSingleRegisterIsTakenAsTheReplyItEquals() throws {
        let line = ScriptedLine { request in request + request }
        let modbus = client(line)
        try modbus.writeSingleRegister(unit: 1, address: 0x6040, value: 0x0006)
        #expect(modbus.statistics.failedRequests == 0)
    }

    @Test func foreignFrameFailsTheAttemptCleanlyAndTheRetryResyncs() throws {
        var replies = [framed([0x02, 0x03, 0x04, 0xDE, 0xAD, 0xBE, 0xEF]), goodReadReply]
        let line = ScriptedLine { _ in replies.removeFirst() }
        let modbus = client(line)
        #expect(try modbus.readHoldingRegisters(unit: 1, address: 0x6041, count: 2) == [0x0237, 0x002A])
        #expect(modbus.statistics.protocolErrors == 1)
        #expect(modbus.statistics.retries == 1)
    }

    @Test func truncatedReplyIsAShortFrameViolationNotData() {
        let truncated = Array(goodReadReply.dropLast(3))
        let line = ScriptedLine { _ in truncated }
        let modbus = client(line, retries: 1)
        let error = #expect(throws: HALError.self) { try modbus.send(readTwo, to: 1) }
        #expect(error?.cause == .protocolViolation("short frame: 6 of 9 bytes"))
        #expect(modbus.statistics.protocolErrors == 2)
    }

    @Test func closedLineFailsAtOnceWithoutRetries() {
        let line = ScriptedLine { _ in [] }
        line.close()
        let modbus = client(line)
        let error = #expect(throws: HALError.self) { try modbus.send(readTwo, to: 1) }
        #expect(error?.cause == .closed)
        #expect(modbus.statistics.retries == 0)
        #expect(modbus.statistics.failedRequests == 1)
    }

    @Test func invalidRequestIsRefusedWithoutTouchingTheLine() {
        let line = ScriptedLine { _ in [] }
        let modbus = client(line)
        let error = #expect(throws: HALError.self) {
            try modbus.send(.readHoldingRegisters(address: 0, count: 200), to: 1)
        }
        #expect(error?.device == "scripted unit 1")
        #expect(line.written.isEmpty)
    }

    @Test func deadlineAlreadyPassedSendsNothingAndTimesOut() {
        let line = ScriptedLine { _ in [] }
        let modbus = client(line)
        let error = #expect(throws: HALError.self) {
            try modbus.send(readTwo, to: 1, deadline: MonotonicInstant(nanoseconds: 0))
        }
        #expect(error?.cause == .timeout)
        #expect(line.written.isEmpty)
    }

    @Test func everyFunctionCodeRoundTripsThroughARegisterFile() throws {
        let unit = RegisterFileUnit(unit: 7)
        let line = ScriptedLine { request in unit.answer(request) }
        let modbus = client(line)
        try modbus.writeSingleRegister(unit: 7, address: 0x6040, value: 0x0006)
        try modbus.writeMultipleRegisters(unit: 7, address: 0x607A, values: [0xFFFF, 0xFF38])
        #expect(try modbus.readHoldingRegisters(unit: 7, address: 0x607A, count: 2) == [0xFFFF, 0xFF38])
        #expect(try modbus.readInputRegisters(unit: 7, address: 0x6040, count: 1) == [0x0006])
        let readBack = try modbus.readWriteMultipleRegisters(
            unit: 7, readAddress: 0x6040, readCount: 1, writeAddress: 0x6040, values: [0x000F])
        #expect(readBack == [0x000F])
        #expect(unit.functions == [0x06, 0x10, 0x03, 0x04, 0x17])
        #expect(modbus.statistics.roundTripMicroseconds.totalCount == 5)
        #expect(modbus.statistics.summary.hasPrefix("requests=5 retries=0 timeouts=0 crc=0"))
    }

    @Test func inPlaceReadsSendTheSameFramesAndSeeTheSameRegistersAsTheArrayReads() throws {
        let unit = RegisterFileUnit(unit: 7)
        unit.registers[0x6040] = 0x0006
        unit.registers[0x6041] = 0x0237
        unit.registers[0x6042] = 0x8001
        let line = ScriptedLine { request in unit.answer(request) }
        let modbus = client(line)

        let array = try modbus.readHoldingRegisters(unit: 7, address: 0x6040, count: 3)
        let inPlace = try modbus.readHoldingRegistersInPlace(unit: 7, address: 0x6040, count: 3, deadline: nil)
        #expect(Array(inPlace) == array)
        #expect(array == [0x0006, 0x0237, 0x8001])

        let writtenArray = try modbus.readWriteMultipleRegisters(
            unit: 7, readAddress: 0x6041, readCount: 2, writeAddress: 0x6040, values: [0x000F])
        let writtenInPlace = try modbus.readWriteMultipleRegistersInPlace(
            unit: 7, readAddress: 0x6041, readCount: 2, writeAddress: 0x6040, values: [0x000F], deadline: nil)
        #expect(Array(writtenInPlace) == writtenArray)
        #expect(line.written[0] == line.written[1])
        #expect(line.written[2] == line.written[3])
        #expect(modbus.statistics.requests == 4)
    }

    @Test func anInPlaceReadSkipsAnEchoAndRetriesABadCrcLikeAnyOther() throws {
        var replies = [goodReadReply, goodReadReply]
        replies[0][replies[0].count - 1] ^= 0xFF
        let line = ScriptedLine { request in request + replies.removeFirst() }
        let modbus = client(line)
        let registers = try modbus.readHoldingRegistersInPlace(unit: 1, address: 0x6041, count: 2, deadline: nil)
        #expect(Array(registers) == [0x0237, 0x002A])
        let statistics = modbus.statistics
        #expect(statistics.requests == 1)
        #expect(statistics.crcErrors == 1)
        #expect(statistics.retries == 1)
        #expect(statistics.echoesSkipped == 2)
        #expect(statistics.failedRequests == 0)
        #expect(statistics.roundTripMicroseconds.totalCount == 1)
    }
}

