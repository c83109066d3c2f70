// CRC-16/MODBUS, written by hand: no Swift Modbus package is available to this project, and the
// checksum is a few dozen lines.

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
        return frame.withUnsafeBufferPointer { bytes in
            let bodyCount = bytes.count - 2
            let received = UInt16(bytes[bodyCount + 1]) << 8 | UInt16(bytes[bodyCount])
            return checksum(UnsafeBufferPointer(rebasing: bytes[..<bodyCount])) == received
        }
    }

    /// The CRC of `bytes` one byte at a time, the textbook way: the reference the fast path is
    /// tested against.
    static func bytewise(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc = (crc >> 8) ^ tables[Int(UInt8(truncatingIfNeeded: crc) ^ byte)]
        }
        return crc
    }

    // MARK: - Private helpers

    /// Four bytes per step ("slicing by 4"), then one table lookup per remaining byte: the four
    /// lookups of a step do not wait for each other, where byte by byte each waits for the last.
    private static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        tables.withUnsafeBufferPointer { tables in
            var index = 0
            let count = bytes.count
            while count - index >= 4 {
                let x = crc ^ (UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8)
                crc = tables[3 * 256 + Int(x & 0xFF)] ^ tables[2 * 256 + Int(x >> 8)]
                    ^ tables[256 + Int(bytes[index + 2])] ^ tables[Int(bytes[index + 3])]
                index += 4
            }
            while index < count {
                crc = (crc >> 8) ^ tables[Int(UInt8(truncatingIfNeeded: crc) ^ bytes[index])]
                index += 1
            }
        }
        return crc
    }

    /// Four tables of 256 entries, one after the other. Table 0 entry `i` is the CRC register
    /// after shifting the byte `i` through eight reflected steps; table `k` entry `i` is that
    /// byte followed by `k` zero bytes.
    private static let tables: [UInt16] = {
        var tables = [UInt16](repeating: 0, count: 4 * 256)
        for index in 0..<256 {
            var value = UInt16(index)
            for _ in 0..<8 {
                if value & 1 != 0 {
                    value = (value >> 1) ^ 0xA001
                } else {
                    value >>= 1
                }
            }
            tables[index] = value
        }
        for table in 1..<4 {
            for index in 0..<256 {
                let previous = tables[(table - 1) * 256 + index]
                tables[table * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()
}
