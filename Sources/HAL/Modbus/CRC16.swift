// CRC-16/MODBUS, written by hand: no Swift Modbus package is available to this project, and the
// checksum is twenty lines.

/// The CRC-16/MODBUS checksum that closes every RTU frame (Modbus serial line spec v1.02, 6.2.2).
///
/// Polynomial 0x8005 processed LSB-first (reflected: 0xA001), initial value 0xFFFF, no final XOR.
/// On the wire the low byte goes first. Check value: CRC of ASCII "123456789" is 0x4B37.
public enum CRC16 {
    /// The CRC of `bytes`.
    public static func modbus(_ bytes: [UInt8]) -> UInt16 {
        bytes.withUnsafeBufferPointer { checksum($0) }
    }

    /// The CRC of a slice, e.g. a frame without its trailing two CRC bytes.
    public static func modbus(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        bytes.withUnsafeBufferPointer { checksum($0) }
    }

    /// Appends the CRC of everything in `frame` to it, low byte first.
    public static func append(to frame: inout [UInt8]) {
        let crc = modbus(frame)
        frame.append(UInt8(crc & 0xFF))
        frame.append(UInt8(crc >> 8))
    }

    /// True when the last two bytes of `frame` are the CRC of the bytes before them.
    public static func isValid(_ frame: ArraySlice<UInt8>) -> Bool {
        guard frame.count >= 3 else { return false }
        let body = frame.dropLast(2)
        let low = UInt16(frame[frame.endIndex - 2])
        let high = UInt16(frame[frame.endIndex - 1])
        return modbus(body) == (high << 8 | low)
    }

    // MARK: - Private helpers

    /// One table lookup per byte instead of eight shift-and-xor steps.
    private static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                let index = Int(UInt8(truncatingIfNeeded: crc) ^ byte)
                crc = (crc >> 8) ^ table[index]
            }
        }
        return crc
    }

    /// `table[i]` is the CRC register after shifting the byte `i` through eight reflected steps.
    private static let table: [UInt16] = (0..<256).map { index in
        var value = UInt16(index)
        for _ in 0..<8 {
            if value & 1 != 0 {
                value = (value >> 1) ^ 0xA001
            } else {
                value >>= 1
            }
        }
        return value
    }
}
