import Testing

@testable import HAL

/// Request frames, byte for byte, against the Modbus Application Protocol's layouts. CRCs were
/// cross-checked with pymodbus's FramerRTU.compute_CRC.
@Suite struct ModbusRequestTests {
    @Test func readHoldingRegistersEncodesUnitFunctionAddressCountAndCrc() throws {
        let frame = try ModbusRequest.readHoldingRegisters(address: 0x0000, count: 10).encode(unit: 1)
        #expect(frame == [0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD])
    }

    @Test func readInputRegistersUsesFunction04() throws {
        let frame = try ModbusRequest.readInputRegisters(address: 0x0000, count: 1).encode(unit: 1)
        #expect(frame == [0x01, 0x04, 0x00, 0x00, 0x00, 0x01, 0x31, 0xCA])
    }

    @Test func writeSingleRegisterEncodesAddressAndValueBigEndian() throws {
        let frame = try ModbusRequest.writeSingleRegister(address: 0x0001, value: 0x0003).encode(unit: 1)
        #expect(frame == [0x01, 0x06, 0x00, 0x01, 0x00, 0x03, 0x98, 0x0B])
    }

    @Test func writeMultipleRegistersEncodesCountByteCountAndValues() throws {
        let frame = try ModbusRequest.writeMultipleRegisters(address: 0x0001, values: [0x000A, 0x0102]).encode(unit: 1)
        #expect(frame == [0x01, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02, 0x92, 0x30])
    }

    @Test func readWriteMultipleRegistersEncodesReadPartThenWritePart() throws {
        let request = ModbusRequest.readWriteMultipleRegisters(
            readAddress: 0x0000, readCount: 2, writeAddress: 0x0010, values: [0x0007])
        let frame = try request.encode(unit: 1)
        #expect(frame == [0x01, 0x17, 0x00, 0x00, 0x00, 0x02, 0x00, 0x10, 0x00, 0x01, 0x02, 0x00, 0x07, 0x57, 0xE9])
    }

    @Test func encodingIntoAReusedBufferReplacesItsContents() throws {
        var frame: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        try ModbusRequest.writeSingleRegister(address: 0x0001, value: 0x0003).encode(unit: 1, into: &frame)
        #expect(frame == [0x01, 0x06, 0x00, 0x01, 0x00, 0x03, 0x98, 0x0B])
    }

    @Test func expectedReplyLengthsFollowTheFunctionCode() {
        #expect(ModbusRequest.readHoldingRegisters(address: 0, count: 10).expectedReplyLength == 25)
        #expect(ModbusRequest.readInputRegisters(address: 0, count: 1).expectedReplyLength == 7)
        #expect(ModbusRequest.writeSingleRegister(address: 0, value: 1).expectedReplyLength == 8)
        #expect(ModbusRequest.writeMultipleRegisters(address: 0, values: [1, 2, 3]).expectedReplyLength == 8)
        let readWrite = ModbusRequest.readWriteMultipleRegisters(readAddress: 0, readCount: 3, writeAddress: 0, values: [1])
        #expect(readWrite.expectedReplyLength == 11)
    }

    @Test(arguments: [UInt8(0), 248, 255])
    func broadcastAndReservedUnitIdsAreRefused(unit: UInt8) {
        let error = #expect(throws: HALError.self) {
            try ModbusRequest.readHoldingRegisters(address: 0, count: 1).encode(unit: unit)
        }
        #expect(error?.cause == .invalidRequest("unit id \(unit) is outside 1...247"))
    }

    @Test func quantitiesOutsideTheSpecLimitsAreRefusedBeforeAnythingIsSent() {
        let tooMany: [ModbusRequest] = [
            .readHoldingRegisters(address: 0, count: 0),
            .readHoldingRegisters(address: 0, count: 126),
            .readInputRegisters(address: 0, count: 126),
            .writeMultipleRegisters(address: 0, values: []),
            .writeMultipleRegisters(address: 0, values: Array(repeating: 0, count: 124)),
            .readWriteMultipleRegisters(readAddress: 0, readCount: 126, writeAddress: 0, values: [1]),
            .readWriteMultipleRegisters(readAddress: 0, readCount: 1, writeAddress: 0, values: Array(repeating: 0, count: 122)),
        ]
        for request in tooMany {
            #expect(request.problem(unit: 1) != nil, "\(request)")
            #expect(throws: HALError.self) { try request.encode(unit: 1) }
        }
    }

    @Test func largestQuantitiesTheSpecAllowsAreAccepted() {
        #expect(ModbusRequest.readHoldingRegisters(address: 0, count: 125).problem(unit: 1) == nil)
        #expect(ModbusRequest.writeMultipleRegisters(address: 0, values: Array(repeating: 0, count: 123)).problem(unit: 1) == nil)
        let readWrite = ModbusRequest.readWriteMultipleRegisters(
            readAddress: 0, readCount: 125, writeAddress: 0, values: Array(repeating: 0, count: 121))
        #expect(readWrite.problem(unit: 1) == nil)
    }

    @Test func spanRunningPastTheLastAddressIsRefused() {
        #expect(ModbusRequest.readHoldingRegisters(address: 0xFFFF, count: 1).problem(unit: 1) == nil)
        #expect(ModbusRequest.readHoldingRegisters(address: 0xFFFF, count: 2).problem(unit: 1) != nil)
    }
}
