import Testing

@testable import HAL

/// Reply decoding: good replies give exactly their data; every malformed reply is an error,
/// never a crash and never data.
@Suite struct ModbusReplyTests {
    private let readTwo = ModbusRequest.readHoldingRegisters(address: 0x6041, count: 2)

    /// `body` plus its CRC.
    private func framed(_ body: [UInt8]) -> [UInt8] {
        var frame = body
        CRC16.append(to: &frame)
        return frame
    }

    private func violation(_ frame: [UInt8], for request: ModbusRequest, unit: UInt8 = 1) -> String? {
        let error = #expect(throws: HALError.self) { try ModbusReply.decode(frame, for: request, unit: unit) }
        guard case let .protocolViolation(what)? = error?.cause else {
            Issue.record("expected a protocol violation, got \(String(describing: error))")
            return nil
        }
        return what
    }

    // MARK: Good replies

    @Test func readReplyGivesRegistersInOrderBigEndian() throws {
        let frame = framed([0x01, 0x03, 0x04, 0x02, 0x37, 0xFF, 0xFE])
        #expect(try ModbusReply.decode(frame, for: readTwo, unit: 1) == .registers([0x0237, 0xFFFE]))
    }

    @Test func inputRegisterReplyDecodesLikeHoldingRegisters() throws {
        let frame = framed([0x05, 0x04, 0x02, 0x12, 0x34])
        let request = ModbusRequest.readInputRegisters(address: 0, count: 1)
        #expect(try ModbusReply.decode(frame, for: request, unit: 5) == .registers([0x1234]))
    }

    @Test func writeSingleRegisterReplyIsTheEcho() throws {
        let request = ModbusRequest.writeSingleRegister(address: 0x0001, value: 0x0003)
        let frame = try request.encode(unit: 1)
        #expect(try ModbusReply.decode(frame, for: request, unit: 1) == .wroteRegister(address: 1, value: 3))
    }

    @Test func writeMultipleRegistersReplyEchoesAddressAndCount() throws {
        let request = ModbusRequest.writeMultipleRegisters(address: 0x607A, values: [0, 100])
        let frame = framed([0x01, 0x10, 0x60, 0x7A, 0x00, 0x02])
        #expect(try ModbusReply.decode(frame, for: request, unit: 1) == .wroteRegisters(address: 0x607A, count: 2))
    }

    @Test func readWriteReplyCarriesTheReadRegisters() throws {
        let request = ModbusRequest.readWriteMultipleRegisters(readAddress: 0x603F, readCount: 3, writeAddress: 0x6040, values: [0x0F])
        let frame = framed([0x01, 0x17, 0x06, 0x00, 0x00, 0x00, 0x0F, 0x02, 0x37])
        #expect(try ModbusReply.decode(frame, for: request, unit: 1) == .registers([0x0000, 0x000F, 0x0237]))
    }

    // MARK: Exceptions

    @Test func exceptionReplyBecomesModbusExceptionWithFunctionAndCode() {
        let frame = framed([0x01, 0x83, 0x02])
        let error = #expect(throws: HALError.self) { try ModbusReply.decode(frame, for: readTwo, unit: 1) }
        #expect(error?.cause == .modbusException(function: 0x03, code: 0x02))
        #expect(frame == [0x01, 0x83, 0x02, 0xC0, 0xF1])
    }

    @Test func exceptionReplyWithBadCrcIsAViolationNotAnException() {
        #expect(violation([0x01, 0x83, 0x02, 0xC0, 0xF2], for: readTwo) == "bad CRC")
    }

    @Test func exceptionForAnotherFunctionIsAWrongFunction() {
        #expect(violation(framed([0x01, 0x90, 0x02]), for: readTwo) == "reply has function 0x90, expected 0x03")
    }

    // MARK: Malformed replies

    @Test func shortFrameIsAViolationNamingBothLengths() {
        let full = framed([0x01, 0x03, 0x04, 0x02, 0x37, 0xFF, 0xFE])
        #expect(violation(Array(full.prefix(6)), for: readTwo) == "short frame: 6 of 9 bytes")
        #expect(violation([], for: readTwo) == "short frame: 0 of 9 bytes")
    }

    @Test func badCrcIsAViolation() {
        var frame = framed([0x01, 0x03, 0x04, 0x02, 0x37, 0xFF, 0xFE])
        frame[frame.count - 1] ^= 0x01
        #expect(violation(frame, for: readTwo) == "bad CRC")
    }

    @Test func corruptedDataByteIsCaughtByTheCrc() {
        var frame = framed([0x01, 0x03, 0x04, 0x02, 0x37, 0xFF, 0xFE])
        frame[4] ^= 0x40
        #expect(violation(frame, for: readTwo) == "bad CRC")
    }

    @Test func replyFromForeignUnitIsAViolation() {
        #expect(violation(framed([0x02, 0x03, 0x04, 0x02, 0x37, 0xFF, 0xFE]), for: readTwo) == "reply from unit 2, expected unit 1")
    }

    @Test func replyWithWrongFunctionIsAViolation() {
        #expect(violation(framed([0x01, 0x04, 0x04, 0x02, 0x37, 0xFF, 0xFE]), for: readTwo) == "reply has function 0x04, expected 0x03")
    }

    @Test func replyWithWrongByteCountIsAViolationEvenWithAGoodCrc() {
        #expect(violation(framed([0x01, 0x03, 0x02, 0x02, 0x37]), for: readTwo) == "reply byte count 2, expected 4")
        #expect(violation(framed([0x01, 0x03, 0x06, 0, 0, 0, 0, 0, 0]), for: readTwo) == "reply byte count 6, expected 4")
    }

    @Test func trailingBytesAfterACompleteReplyAreAViolation() {
        let frame = framed([0x01, 0x03, 0x04, 0x02, 0x37, 0xFF, 0xFE]) + [0x00]
        #expect(violation(frame, for: readTwo) == "1 bytes after a complete 9-byte reply")
    }

    @Test func writeEchoWithDifferentValueIsAViolation() throws {
        let request = ModbusRequest.writeSingleRegister(address: 0x6040, value: 0x000F)
        let what = violation(framed([0x01, 0x06, 0x60, 0x40, 0x00, 0x07]), for: request)
        #expect(what == "write echo does not match: wrote 0xF at 0x6040, echo says 0x7 at 0x6040")
    }

    @Test func writeMultipleEchoWithDifferentCountIsAViolation() {
        let request = ModbusRequest.writeMultipleRegisters(address: 0x607A, values: [0, 100])
        #expect(violation(framed([0x01, 0x10, 0x60, 0x7A, 0x00, 0x01]), for: request) != nil)
    }

    // MARK: Incremental parsing

    @Test func parseAsksForTheExpectedLengthUntilTheFunctionByteSaysException() {
        #expect(ModbusReply.parse([][...], for: readTwo, unit: 1) == .incomplete(expectedLength: 9))
        #expect(ModbusReply.parse([0x01, 0x03][...], for: readTwo, unit: 1) == .incomplete(expectedLength: 9))
        #expect(ModbusReply.parse([0x01, 0x83][...], for: readTwo, unit: 1) == .incomplete(expectedLength: 5))
    }

    @Test func parseRejectsAForeignUnitFromItsFirstByte() {
        #expect(ModbusReply.parse([0x07][...], for: readTwo, unit: 1) == .malformed(.wrongUnit(expected: 1, received: 7)))
    }

    @Test func parseRejectsAWrongByteCountBeforeTheDataArrives() {
        #expect(ModbusReply.parse([0x01, 0x03, 0x02][...], for: readTwo, unit: 1)
            == .malformed(.wrongByteCount(expected: 4, received: 2)))
    }

    @Test func parseOfASliceInTheMiddleOfABufferUsesTheSliceIndices() {
        let buffer: [UInt8] = [0xEE, 0xEE] + framed([0x01, 0x03, 0x04, 0x02, 0x37, 0xFF, 0xFE]) + [0xEE]
        #expect(ModbusReply.parse(buffer[2...], for: readTwo, unit: 1) == .complete(.registers([0x0237, 0xFFFE]), length: 9))
    }

    // MARK: Garbage

    @Test func randomGarbageNeverCrashesAndNeverYieldsDataWithoutAValidFrame() {
        var random = SplitMix64(seed: 0x5709_E0A7)
        let requests: [ModbusRequest] = [
            readTwo,
            .readInputRegisters(address: 0, count: 1),
            .writeSingleRegister(address: 0x6040, value: 0x0F),
            .writeMultipleRegisters(address: 0x607A, values: [0, 1]),
            .readWriteMultipleRegisters(readAddress: 0x603F, readCount: 3, writeAddress: 0x6040, values: [6]),
        ]
        for round in 0..<20_000 {
            let request = requests[round % requests.count]
            let length = Int(random.next() % 40)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            // Make half of the garbage look plausible: right unit and function.
            if round % 2 == 0, bytes.count >= 2 {
                bytes[0] = 1
                bytes[1] = request.function.rawValue
            }
            switch ModbusReply.parse(bytes[...], for: request, unit: 1) {
            case let .complete(_, frameLength), let .exception(_, frameLength):
                // Data only ever comes from a frame that passes every check, CRC included.
                #expect(CRC16.isValid(bytes[0..<frameLength]))
                #expect(bytes[0] == 1)
            case .incomplete, .malformed:
                break
            }
            _ = try? ModbusReply.decode(bytes, for: request, unit: 1)
        }
    }
}

/// A small seeded generator so garbage tests are the same garbage every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
