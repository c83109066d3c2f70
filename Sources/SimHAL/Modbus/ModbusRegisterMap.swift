// What a Modbus server unit serves: a register space. Written by hand from the Modbus
// Application Protocol v1.1b3 (section 7, exception codes): no Swift Modbus package exists.
import HAL

/// The register space of one unit behind a `ModbusRTUServer`.
///
/// Implementations check a whole request before changing anything, so a refused write leaves
/// the unit as it was. Holding and input registers are the same space here (FC 0x03 and 0x04
/// read the same map), as on most drives.
public protocol ModbusRegisterMap: AnyObject {
    /// The `count` registers from `address`. Throws `ModbusServerException`.
    func readRegisters(address: UInt16, count: Int) throws -> [UInt16]
    /// Writes `values` from `address`, all or nothing. Throws `ModbusServerException`.
    func writeRegisters(address: UInt16, values: ArraySlice<UInt16>) throws
    /// Throws what `writeRegisters` would throw, changing nothing (FC 0x17 checks its write
    /// before reading or writing anything).
    func checkWrite(address: UInt16, values: ArraySlice<UInt16>) throws
    /// Like `readRegisters(address:count:)`, into `registers` (emptied first, its storage
    /// reused). The default calls `readRegisters(address:count:)`.
    func readRegisters(address: UInt16, count: Int, into registers: inout [UInt16]) throws
    /// Throws what `readRegisters` would throw (FC 0x17 checks its read before writing). The
    /// default reads and drops the registers.
    func checkRead(address: UInt16, count: Int) throws
}

extension ModbusRegisterMap {
    public func readRegisters(address: UInt16, count: Int, into registers: inout [UInt16]) throws {
        let read = try readRegisters(address: address, count: count)
        registers.removeAll(keepingCapacity: true)
        registers.append(contentsOf: read)
    }

    public func checkRead(address: UInt16, count: Int) throws {
        _ = try readRegisters(address: address, count: count)
    }
}

/// A refusal, sent back as a Modbus exception reply (function | 0x80, code).
public struct ModbusServerException: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: UInt8
    /// Why, for logs: the wire carries only the code.
    public var reason: String

    public init(code: UInt8, reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let illegalFunctionCode: UInt8 = 0x01
    public static let illegalDataAddressCode: UInt8 = 0x02
    public static let illegalDataValueCode: UInt8 = 0x03
    public static let serverDeviceFailureCode: UInt8 = 0x04

    public static func illegalFunction(_ reason: String) -> Self { Self(code: illegalFunctionCode, reason: reason) }
    public static func illegalDataAddress(_ reason: String) -> Self { Self(code: illegalDataAddressCode, reason: reason) }
    public static func illegalDataValue(_ reason: String) -> Self { Self(code: illegalDataValueCode, reason: reason) }

    public var description: String {
        "exception \(code) (\(ModbusExceptionCode.meaning(of: code))): \(reason)"
    }
}
