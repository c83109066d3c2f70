import Testing

@testable import HAL

/// CRC-16/MODBUS against published vectors (Modbus serial line spec examples, CRC catalogue).
@Suite struct CRC16Tests {
    @Test func crcOfKnownFrameMatchesSpecVector() {
        // Read 10 holding registers at 0 from unit 1: the frame ends C5 CD on the wire.
        var frame: [UInt8] = [0x01, 0x03, 0x00, 0x00, 0x00, 0x0A]
        #expect(CRC16.modbus(frame) == 0xCDC5)
        CRC16.append(to: &frame)
        #expect(frame.suffix(2) == [0xC5, 0xCD])
    }

    @Test func crcOfWriteSingleRegisterExampleIs980B() {
        var frame: [UInt8] = [0x01, 0x06, 0x00, 0x01, 0x00, 0x03]
        CRC16.append(to: &frame)
        #expect(frame.suffix(2) == [0x98, 0x0B])
    }

    @Test func crcOfCatalogueCheckStringIs4B37() {
        #expect(CRC16.modbus(Array("123456789".utf8)) == 0x4B37)
    }

    @Test func crcOfNothingIsTheInitialValue() {
        #expect(CRC16.modbus([]) == 0xFFFF)
    }

    @Test func crcOfSliceEqualsCrcOfCopy() {
        let bytes: [UInt8] = [0xAA, 0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xBB]
        #expect(CRC16.modbus(bytes[1..<7]) == CRC16.modbus(Array(bytes[1..<7])))
    }

    @Test func frameWithItsOwnCrcIsValidAndAnyFlippedBitIsNot() {
        var frame: [UInt8] = [0x11, 0x03, 0x00, 0x6B, 0x00, 0x03]
        CRC16.append(to: &frame)
        #expect(CRC16.isValid(frame[...]))
        for byteIndex in frame.indices {
            for bit in 0..<8 {
                var damaged = frame
                damaged[byteIndex] ^= UInt8(1 << bit)
                #expect(!CRC16.isValid(damaged[...]), "bit \(bit) of byte \(byteIndex)")
            }
        }
    }

    @Test func framesTooShortToCarryACrcAreNeverValid() {
        #expect(!CRC16.isValid([][...]))
        #expect(!CRC16.isValid([0xFF, 0xFF][...]))
    }

    @Test func theFourBytesAtATimePathAgreesWithTheBytewiseReferenceAtEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...80 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(CRC16.modbus(bytes) == CRC16.bytewise(bytes), "length \(length): \(bytes)")
                let padded = [0x5A] + bytes + [0xA5]
                #expect(CRC16.modbus(padded[1..<(1 + length)]) == CRC16.bytewise(bytes), "slice of length \(length)")
            }
        }
    }
}
