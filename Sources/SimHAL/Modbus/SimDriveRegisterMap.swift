// A simulated drive's CiA 402 objects as Modbus registers, laid out by a HAL `RegisterProfile`
// (normally `cia402-direct`: register address == object index, 32-bit objects high word first).
// Written by hand: no Swift Modbus or CiA 402 package exists.
import HAL

/// Serves one `SimDrive` through a register profile.
///
/// Span rules (the same a strict drive keeps, and what `Tests/Peers/cia402_registers.py` does):
/// - a span starts on an object's first register, covers whole objects without gaps and ends on
///   an object boundary; an unmapped register or half a 32-bit object is exception 02;
/// - objects whose registers overlap another's (0x6083/0x6084/0x6085 in cia402-direct) are
///   served only alone, with exactly their own register count; in a longer span, exception 02;
/// - writing a read-only object (0x603F, 0x6041, 0x6064, 0x606C, 0x6078) is exception 02
///   (not an allowable address for a write);
/// - a value the drive refuses (mode other than 0/1/3, a ramp of 0, an 8-bit mode register that
///   is not sign-extended) is exception 03;
/// - a write is checked whole before any object is written; objects are then written in
///   address order (so targets land before the controlword in one FC 0x10).
public final class SimDriveRegisterMap: ModbusRegisterMap {
    public let drive: SimDrive
    public let profile: RegisterProfile
    /// First register → object.
    private let objectsByAddress: [UInt16: CiA402Object]

    public init(drive: SimDrive, profile: RegisterProfile = .cia402Direct) {
        self.drive = drive
        self.profile = profile
        var objects: [UInt16: CiA402Object] = [:]
        for object in CiA402Object.allCases {
            objects[profile.location(of: object).address] = object
        }
        objectsByAddress = objects
    }

    public func readRegisters(address: UInt16, count: Int) throws -> [UInt16] {
        var registers: [UInt16] = []
        registers.reserveCapacity(count)
        for object in try objects(inSpanAt: address, count: count) {
            // Values the drive holds always fit their own type; a profile that squeezes a 32-bit
            // object into one register gets it clamped rather than a failed read.
            let value = drive.read(object)
            let encoded = (try? profile.encode(value, for: object)) ?? profile.encodeClamped(value, for: object)
            registers.append(contentsOf: encoded)
        }
        return registers
    }

    public func checkWrite(address: UInt16, values: ArraySlice<UInt16>) throws {
        _ = try decodedWrites(address: address, values: values)
    }

    public func writeRegisters(address: UInt16, values: ArraySlice<UInt16>) throws {
        for (object, value) in try decodedWrites(address: address, values: values) {
            do {
                try drive.write(object, value: value)
            } catch let error as SimDriveWriteError {
                // Checked above; a drive that changed its mind between check and write says so.
                throw ModbusServerException(code: ModbusServerException.serverDeviceFailureCode, reason: error.description)
            }
        }
    }

    // MARK: - Private helpers

    /// The objects a span covers, in address order, or exception 02.
    private func objects(inSpanAt address: UInt16, count: Int) throws -> [CiA402Object] {
        let end = Int(address) + count
        guard end <= 0x1_0000 else {
            throw ModbusServerException.illegalDataAddress("span of \(count) at \(hex(address)) runs past register 0xFFFF")
        }
        if let object = objectsByAddress[address], profile.location(of: object).width.registerCount == count {
            return [object]  // exactly one object: never ambiguous, even where objects overlap
        }
        var objects: [CiA402Object] = []
        var next = Int(address)
        while next < end {
            guard let object = objectsByAddress[UInt16(next)] else {
                throw ModbusServerException.illegalDataAddress("register \(hex(UInt16(next))) is not the start of an object")
            }
            let location = profile.location(of: object)
            guard location.end <= end else {
                throw ModbusServerException.illegalDataAddress("span splits the 32-bit object \(object)")
            }
            if profile.overlappingObjects.contains(object) {
                throw ModbusServerException.illegalDataAddress(
                    "\(object) shares registers with its neighbours in \(profile.name): access it alone")
            }
            objects.append(object)
            next = location.end
        }
        return objects
    }

    /// The (object, value) pairs of a write: addresses first (02), then values (03).
    private func decodedWrites(address: UInt16, values: ArraySlice<UInt16>) throws -> [(CiA402Object, Int64)] {
        let objects = try objects(inSpanAt: address, count: values.count)
        for object in objects where isReadOnly(object) {
            throw ModbusServerException.illegalDataAddress("\(object) is read-only")
        }
        var writes: [(CiA402Object, Int64)] = []
        var offset = values.startIndex
        for object in objects {
            let registerCount = profile.location(of: object).width.registerCount
            let value = profile.decode(values[offset..<offset + registerCount], for: object)
            offset += registerCount
            do {
                try drive.validate(object, value: value)
            } catch let error as SimDriveWriteError {
                throw ModbusServerException.illegalDataValue(error.description)
            }
            writes.append((object, value))
        }
        return writes
    }

    private func isReadOnly(_ object: CiA402Object) -> Bool {
        switch object {
        case .errorCode, .statusword, .positionActualValue, .velocityActualValue, .currentActualValue: return true
        default: return false
        }
    }

    private func hex(_ value: UInt16) -> String {
        "0x" + String(value, radix: 16, uppercase: true)
    }
}

extension RegisterProfile {
    /// `value` as the object's registers, clamped to what the registers can hold.
    func encodeClamped(_ value: Int64, for object: CiA402Object) -> [UInt16] {
        let location = location(of: object)
        let signed = object.valueType == .int8 || object.valueType == .int16 || object.valueType == .int32
        let range: ClosedRange<Int64>
        switch (location.width, signed) {
        case (.bits16, true): range = Int64(Int16.min)...Int64(Int16.max)
        case (.bits16, false): range = 0...Int64(UInt16.max)
        case (.bits32, true): range = Int64(Int32.min)...Int64(Int32.max)
        case (.bits32, false): range = 0...Int64(UInt32.max)
        }
        let raw = UInt32(truncatingIfNeeded: min(max(value, range.lowerBound), range.upperBound))
        return location.width == .bits16 ? [UInt16(truncatingIfNeeded: raw)] : [UInt16(raw >> 16), UInt16(raw & 0xFFFF)]
    }
}
