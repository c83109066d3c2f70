// Finding request frames in a byte stream on the server side of Modbus RTU. Written by hand from
// Modbus over Serial Line v1.02 (2.5.1.1) and the request layouts of the Application Protocol
// v1.1b3 (section 6): no Swift Modbus package exists.

/// Cuts received bytes into request frames.
///
/// The standard ends a frame at 3.5 character times of silence. Behind a pty or a USB adapter
/// silence is unreliable, so, like the HAL's client, this frames by length where the function
/// code says it: 8 bytes for 0x03, 0x04, 0x06; 9 + byte count for 0x10; 13 + byte count for
/// 0x17. Bytes whose length cannot be known (an unknown function code, garbage) wait until the
/// owner reports silence (`takeRemainder`).
public struct ModbusRTURequestFramer: Sendable {
    private var buffer: [UInt8] = []

    public init() {
        buffer.reserveCapacity(512)
    }

    /// Bytes received and not yet cut into a frame.
    public var pendingCount: Int { buffer.count }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame by length, or nil when more bytes are needed or the length cannot
    /// be known from the bytes.
    public mutating func nextFrame() -> [UInt8]? {
        guard let length = Self.expectedLength(of: buffer[...]), buffer.count >= length else { return nil }
        let frame = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return frame
    }

    /// Everything pending, as one frame: call when the line has been silent (t3.5 passed).
    public mutating func takeRemainder() -> [UInt8]? {
        guard !buffer.isEmpty else { return nil }
        let frame = buffer
        buffer.removeAll(keepingCapacity: true)
        return frame
    }

    /// Drops whatever is pending.
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
    }

    /// The length of the request frame starting at `bytes`, CRC included, or nil when it cannot
    /// be known (yet).
    public static func expectedLength(of bytes: ArraySlice<UInt8>) -> Int? {
        let start = bytes.startIndex
        guard bytes.count >= 2 else { return nil }
        switch bytes[start + 1] {
        case 0x03, 0x04, 0x06:
            return 8
        case 0x10:
            guard bytes.count >= 7 else { return nil }
            return 9 + Int(bytes[start + 6])
        case 0x17:
            guard bytes.count >= 11 else { return nil }
            return 13 + Int(bytes[start + 10])
        default:
            return nil
        }
    }
}
