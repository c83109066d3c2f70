// Modbus RTU request encoding, written by hand: no Swift Modbus package is available to this
// project. Frame layouts follow the Modbus Application Protocol spec v1.1b3, section 6.

/// The function codes this master speaks: register access only, which is all CiA 402 over
/// Modbus needs.
public enum ModbusFunctionCode: UInt8, Sendable, CaseIterable {
    case readHoldingRegisters = 0x03
    case readInputRegisters = 0x04
    case writeSingleRegister = 0x06
    case writeMultipleRegisters = 0x10
    case readWriteMultipleRegisters = 0x17
}

/// One Modbus request, before it is framed for a unit.
///
/// Counts are register counts. Register values are 16-bit and go big-endian on the wire.
public enum ModbusRequest: Equatable, Sendable {
    /// FC 0x03: read `count` holding registers starting at `address`.
    case readHoldingRegisters(address: UInt16, count: UInt16)
    /// FC 0x04: read `count` input registers starting at `address`.
    case readInputRegisters(address: UInt16, count: UInt16)
    /// FC 0x06: write one holding register. The reply echoes the request.
    case writeSingleRegister(address: UInt16, value: UInt16)
    /// FC 0x10: write consecutive holding registers starting at `address`.
    case writeMultipleRegisters(address: UInt16, values: [UInt16])
    /// FC 0x17: write `values` at `writeAddress`, then read `readCount` registers at `readAddress`,
    /// in one transaction. The spec has the server do the write before the read.
    case readWriteMultipleRegisters(readAddress: UInt16, readCount: UInt16, writeAddress: UInt16, values: [UInt16])

    // Quantity limits from the spec: a frame holds at most 256 bytes.
    public static let maxReadCount = 125
    public static let maxWriteCount = 123
    public static let maxReadWriteWriteCount = 121

    public var function: ModbusFunctionCode {
        switch self {
        case .readHoldingRegisters: return .readHoldingRegisters
        case .readInputRegisters: return .readInputRegisters
        case .writeSingleRegister: return .writeSingleRegister
        case .writeMultipleRegisters: return .writeMultipleRegisters
        case .readWriteMultipleRegisters: return .readWriteMultipleRegisters
        }
    }

    /// How many registers a normal reply carries (0 for writes).
    public var replyRegisterCount: Int {
        switch self {
        case let .readHoldingRegisters(_, count), let .readInputRegisters(_, count):
            return Int(count)
        case let .readWriteMultipleRegisters(_, readCount, _, _):
            return Int(readCount)
        case .writeSingleRegister, .writeMultipleRegisters:
            return 0
        }
    }

    /// The length in bytes of a normal (non-exception) reply frame, CRC included. Known before
    /// anything arrives, which is how the client frames replies without relying on silence.
    public var expectedReplyLength: Int {
        switch self {
        case .readHoldingRegisters, .readInputRegisters, .readWriteMultipleRegisters:
            // unit, function, byte count, data, CRC
            return 3 + 2 * replyRegisterCount + 2
        case .writeSingleRegister, .writeMultipleRegisters:
            // unit, function, address, value-or-count, CRC
            return 8
        }
    }

    /// Why this request cannot be sent to `unit`, or nil when it can.
    public func problem(unit: UInt8) -> String? {
        // 0 is broadcast (no reply, so no feedback); 248...255 are reserved by the spec.
        guard (1...247).contains(unit) else {
            return "unit id \(unit) is outside 1...247"
        }
        switch self {
        case let .readHoldingRegisters(address, count), let .readInputRegisters(address, count):
            return Self.rangeProblem(address: address, count: Int(count), limit: Self.maxReadCount, what: "read")
        case .writeSingleRegister:
            return nil
        case let .writeMultipleRegisters(address, values):
            return Self.rangeProblem(address: address, count: values.count, limit: Self.maxWriteCount, what: "write")
        case let .readWriteMultipleRegisters(readAddress, readCount, writeAddress, values):
            return Self.rangeProblem(address: readAddress, count: Int(readCount), limit: Self.maxReadCount, what: "read")
                ?? Self.rangeProblem(
                    address: writeAddress, count: values.count, limit: Self.maxReadWriteWriteCount, what: "write")
        }
    }

    /// The complete RTU frame for `unit`: unit id, PDU, CRC (low byte first).
    /// Throws `HALError` (`.invalidRequest`) when the request breaks a spec limit.
    public func encode(unit: UInt8) throws -> [UInt8] {
        var frame: [UInt8] = []
        try encode(unit: unit, into: &frame)
        return frame
    }

    /// Like `encode(unit:)`, but reuses `frame`'s storage (it is emptied first), so a cyclic
    /// exchange does not allocate.
    public func encode(unit: UInt8, into frame: inout [UInt8]) throws {
        if let problem = problem(unit: unit) {
            throw HALError(device: "modbus unit \(unit)", cause: .invalidRequest(problem))
        }
        frame.removeAll(keepingCapacity: true)
        frame.append(unit)
        frame.append(function.rawValue)
        switch self {
        case let .readHoldingRegisters(address, count), let .readInputRegisters(address, count):
            Self.appendBigEndian(address, to: &frame)
            Self.appendBigEndian(count, to: &frame)
        case let .writeSingleRegister(address, value):
            Self.appendBigEndian(address, to: &frame)
            Self.appendBigEndian(value, to: &frame)
        case let .writeMultipleRegisters(address, values):
            Self.appendBigEndian(address, to: &frame)
            Self.appendBigEndian(UInt16(values.count), to: &frame)
            frame.append(UInt8(values.count * 2))
            Self.appendBigEndian(values, to: &frame)
        case let .readWriteMultipleRegisters(readAddress, readCount, writeAddress, values):
            Self.appendBigEndian(readAddress, to: &frame)
            Self.appendBigEndian(readCount, to: &frame)
            Self.appendBigEndian(writeAddress, to: &frame)
            Self.appendBigEndian(UInt16(values.count), to: &frame)
            frame.append(UInt8(values.count * 2))
            Self.appendBigEndian(values, to: &frame)
        }
        CRC16.append(to: &frame)
    }

    // MARK: - Private helpers

    private static func rangeProblem(address: UInt16, count: Int, limit: Int, what: String) -> String? {
        guard (1...limit).contains(count) else {
            return "\(what) of \(count) registers is outside 1...\(limit)"
        }
        guard Int(address) + count <= 0x1_0000 else {
            return "\(what) of \(count) registers at 0x\(String(address, radix: 16)) runs past address 0xFFFF"
        }
        return nil
    }

    private static func appendBigEndian(_ value: UInt16, to frame: inout [UInt8]) {
        frame.append(UInt8(value >> 8))
        frame.append(UInt8(value & 0xFF))
    }

    /// By index, not `for value in values`: an unoptimized (test) build would allocate an
    /// iterator frame per call, and the cyclic exchange is checked to allocate nothing.
    private static func appendBigEndian(_ values: [UInt16], to frame: inout [UInt8]) {
        for index in values.indices {
            appendBigEndian(values[index], to: &frame)
        }
    }
}
