import HAL
import Testing

@testable import SimHAL

/// The Modbus RTU server in front of simulated drives, frame by frame (Modbus Application
/// Protocol v1.1b3, Modbus over Serial Line v1.02).
struct ModbusRTUServerTests {
    let drive = SimDrive(parameters: SimDriveParameters.defaults(for: .plank))
    let other = SimDrive(parameters: SimDriveParameters.defaults(for: .jaw))
    let server = ModbusRTUServer()

    init() {
        server.serve(unit: 1, map: SimDriveRegisterMap(drive: drive))
        server.serve(unit: 2, map: SimDriveRegisterMap(drive: other))
    }

    func send(_ request: ModbusRequest, unit: UInt8 = 1) throws -> [UInt8]? {
        server.handle(frame: try request.encode(unit: unit)[...])
    }

    /// A raw frame (any function code, any length) with its CRC appended.
    func sendRaw(_ bytes: [UInt8]) -> [UInt8]? {
        var frame = bytes
        CRC16.append(to: &frame)
        return server.handle(frame: frame[...])
    }

    func exceptionCode(_ reply: [UInt8]?) -> UInt8? {
        guard let reply, reply.count == 5, reply[1] & 0x80 != 0, CRC16.isValid(reply[...]) else { return nil }
        return reply[2]
    }

    @Test("FC 0x03 reads error code, controlword and statusword as one span, and the client's decoder accepts it")
    func readsASpanOfObjects() throws {
        let request = ModbusRequest.readHoldingRegisters(address: 0x603F, count: 3)
        let reply = try #require(try send(request))
        #expect(try ModbusReply.decode(reply, for: request, unit: 1) == .registers([0, 0, 0x0250]))
    }

    @Test("FC 0x04 reads the same register space")
    func inputRegistersAreTheSameSpace() throws {
        let request = ModbusRequest.readInputRegisters(address: 0x6041, count: 1)
        let reply = try #require(try send(request))
        #expect(try ModbusReply.decode(reply, for: request, unit: 1) == .registers([0x0250]))
    }

    @Test("FC 0x06 writes the controlword and echoes the request")
    func writeSingleEchoes() throws {
        let request = ModbusRequest.writeSingleRegister(address: 0x6040, value: 0x0006)
        let reply = try #require(try send(request))
        #expect(reply == (try request.encode(unit: 1)))
        #expect(drive.state == .readyToSwitchOn)
    }

    @Test("FC 0x10 writes a 32-bit target high word first")
    func writeMultipleWritesA32BitObject() throws {
        let request = ModbusRequest.writeMultipleRegisters(address: 0x607A, values: [0xFFFF, 0xFF38])
        let reply = try #require(try send(request))
        #expect(try ModbusReply.decode(reply, for: request, unit: 1) == .wroteRegisters(address: 0x607A, count: 2))
        #expect(drive.read(.targetPosition) == -200)
    }

    @Test("FC 0x17 writes first, then reads: the statusword read back shows the new state")
    func readWriteWritesThenReads() throws {
        _ = try send(.writeSingleRegister(address: 0x6040, value: 0x06))
        let request = ModbusRequest.readWriteMultipleRegisters(readAddress: 0x603F, readCount: 3, writeAddress: 0x6040, values: [0x0F])
        let reply = try #require(try send(request))
        let registers = try ModbusReply.decode(reply, for: request, unit: 1).registers
        #expect(CiA402State(statusword: registers[2]) == .operationEnabled)
    }

    @Test("Unknown function codes get exception 01")
    func unknownFunctionIsException01() {
        #expect(exceptionCode(sendRaw([1, 0x2B, 0x0E, 0x01, 0x00])) == 1)
        #expect(exceptionCode(sendRaw([1, 0x01, 0x00, 0x00, 0x00, 0x01])) == 1)
    }

    @Test("Unmapped registers, split 32-bit objects and overlapping objects in a span get exception 02")
    func addressProblemsAreException02() throws {
        #expect(exceptionCode(try send(.readHoldingRegisters(address: 0x1000, count: 1))) == 2)
        #expect(exceptionCode(try send(.readHoldingRegisters(address: 0x6064, count: 1))) == 2)
        #expect(exceptionCode(try send(.readHoldingRegisters(address: 0x6081, count: 4))) == 2)
        #expect(exceptionCode(try send(.writeSingleRegister(address: 0x607A, value: 1))) == 2)
        // Each overlapping object alone is fine.
        let alone = ModbusRequest.readHoldingRegisters(address: 0x6084, count: 2)
        #expect(try ModbusReply.decode(try #require(try send(alone)), for: alone, unit: 1).registers.count == 2)
    }

    @Test("Writing a read-only object gets exception 02 and changes nothing")
    func readOnlyIsException02() throws {
        #expect(exceptionCode(try send(.writeSingleRegister(address: 0x6041, value: 0x27))) == 2)
        #expect(exceptionCode(try send(.writeMultipleRegisters(address: 0x603F, values: [0, 0x06]))) == 2)
        #expect(drive.state == .switchOnDisabled)
    }

    @Test("Counts out of range and values the drive refuses get exception 03")
    func valueProblemsAreException03() throws {
        #expect(exceptionCode(sendRaw([1, 0x03, 0x60, 0x41, 0x00, 0x00])) == 3)  // count 0
        #expect(exceptionCode(sendRaw([1, 0x03, 0x60, 0x41, 0x00, 0x7E])) == 3)  // count 126
        #expect(exceptionCode(sendRaw([1, 0x10, 0x60, 0x40, 0x00, 0x01, 0x04, 0x00, 0x06, 0x00, 0x00])) == 3)  // byte count
        #expect(exceptionCode(try send(.writeSingleRegister(address: 0x6060, value: 6))) == 3)  // mode 6
        #expect(exceptionCode(try send(.writeSingleRegister(address: 0x6060, value: 0x00FF))) == 3)  // not sign-extended
        #expect(exceptionCode(try send(.writeMultipleRegisters(address: 0x6083, values: [0, 0]))) == 3)  // ramp 0
        #expect(server.lastException?.exception.reason.contains("ramp of 0") == true)
    }

    @Test("A refused FC 0x17 write is checked before anything is written")
    func readWriteChecksWholeRequest() throws {
        let request = ModbusRequest.readWriteMultipleRegisters(readAddress: 0x1000, readCount: 1, writeAddress: 0x6040, values: [0x06])
        #expect(exceptionCode(try send(request)) == 2)
        #expect(drive.state == .switchOnDisabled)
    }

    @Test("Bad CRC, other units and reserved addresses get no reply")
    func silentCases() throws {
        var frame = try ModbusRequest.readHoldingRegisters(address: 0x6041, count: 1).encode(unit: 1)
        frame[frame.count - 1] ^= 0x01
        #expect(server.handle(frame: frame[...]) == nil)
        #expect(try send(.readHoldingRegisters(address: 0x6041, count: 1), unit: 3) == nil)
        #expect(sendRaw([250, 0x03, 0x60, 0x41, 0x00, 0x01]) == nil)
        #expect(server.statistics.badCRC == 1)
    }

    @Test("Unit 0 is broadcast: the write reaches every drive and nobody replies")
    func broadcastWritesWithoutReply() {
        #expect(sendRaw([0, 0x06, 0x60, 0x40, 0x00, 0x06]) == nil)
        #expect(drive.state == .readyToSwitchOn)
        #expect(other.state == .readyToSwitchOn)
        #expect(sendRaw([0, 0x03, 0x60, 0x41, 0x00, 0x01]) == nil)
    }

    @Test("The request framer cuts frames by length from a byte stream")
    func framerCutsByLength() throws {
        var framer = ModbusRTURequestFramer()
        let first = try ModbusRequest.writeMultipleRegisters(address: 0x607A, values: [0, 5]).encode(unit: 1)
        let second = try ModbusRequest.readHoldingRegisters(address: 0x6041, count: 1).encode(unit: 1)
        let bytes = first + second
        framer.append(bytes[0..<5])
        #expect(framer.nextFrame() == nil)
        framer.append(bytes[5...])
        #expect(framer.nextFrame() == first)
        #expect(framer.nextFrame() == second)
        #expect(framer.takeRemainder() == nil)
    }

    @Test("Answering into a reused buffer gives the frames handle(frame:) gives: replies, exceptions, silence")
    func reusedReplyBufferMatchesFreshReplies() throws {
        let twin = ModbusRTUServer()
        twin.serve(unit: 1, map: SimDriveRegisterMap(drive: SimDrive(parameters: SimDriveParameters.defaults(for: .plank))))
        twin.serve(unit: 2, map: SimDriveRegisterMap(drive: SimDrive(parameters: SimDriveParameters.defaults(for: .jaw))))
        let requests: [(ModbusRequest, UInt8)] = [
            (.readHoldingRegisters(address: 0x603F, count: 3), 1),
            (.writeSingleRegister(address: 0x6040, value: 0x0006), 1),
            (.readWriteMultipleRegisters(readAddress: 0x603F, readCount: 3, writeAddress: 0x6040, values: [0x0007]), 1),
            (.writeMultipleRegisters(address: 0x607A, values: [0xFFFF, 0xFF38]), 2),
            (.readHoldingRegisters(address: 0x1000, count: 1), 1),
            (.writeSingleRegister(address: 0x6041, value: 0x27), 2),
            (.readHoldingRegisters(address: 0x6041, count: 1), 3),
            (.readWriteMultipleRegisters(readAddress: 0x6064, readCount: 1, writeAddress: 0x6040, values: [0x000F]), 1),
            (.readHoldingRegisters(address: 0x6064, count: 6), 2),
        ]
        var buffer: [UInt8] = [0xDE, 0xAD]
        for (request, unit) in requests {
            let frame = try request.encode(unit: unit)
            let fresh = server.handle(frame: frame[...])
            let answered = twin.handle(frame: frame[...], reply: &buffer)
            #expect((answered ? buffer : nil) == fresh, "\(request) to unit \(unit)")
        }
        #expect(twin.statistics == server.statistics)
    }
}

