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
    /// First register → object, sorted by address (where two objects start at one register,
    /// the later in `allCases` order): looked up by binary search, without hashing. `next` is
    /// the index of the entry that starts where this entry's object ends, or -1: a span is walked
    /// from its first object without further lookups.
    private let starts: [(address: UInt16, object: CiA402Object, next: Int)]

    public init(drive: SimDrive, profile: RegisterProfile = .cia402Direct) {
        self.drive = drive
        self.profile = profile
        var objects: [UInt16: CiA402Object] = [:]
        for object in CiA402Object.allCases {
            objects[profile.location(of: object).address] = object
        }
        let sorted = objects.map { (address: $0.key, object: $0.value) }.sorted { $0.address < $1.address }
        starts = sorted.map { entry in
            let end = profile.location(of: entry.object).end
            return (entry.address, entry.object, sorted.firstIndex { Int($0.address) == end } ?? -1)
        }
    }

    public func readRegisters(address: UInt16, count: Int) throws -> [UInt16] {
        var registers: [UInt16] = []
        try readRegisters(address: address, count: count, into: &registers)
        return registers
    }

    public func readRegisters(address: UInt16, count: Int, into registers: inout [UInt16]) throws {
        let span = try checkedSpan(address: address, count: count)
        registers.removeAll(keepingCapacity: true)
        forEachObject(in: span) { object, _ in
            // Values the drive holds always fit their own type; a profile that squeezes a 32-bit
            // object into one register gets it clamped rather than a failed read.
            let value = drive.read(object)
            let mark = registers.count
            do {
                try profile.encode(value, for: object, appendingTo: &registers)
            } catch {
                registers.removeSubrange(mark...)
                profile.encodeClamped(value, for: object, appendingTo: &registers)
            }
        }
    }

    public func checkRead(address: UInt16, count: Int) throws {
        _ = try checkedSpan(address: address, count: count)
    }

    public func checkWrite(address: UInt16, values: ArraySlice<UInt16>) throws {
        _ = try checkedWrite(address: address, values: values)
    }

    public func writeRegisters(address: UInt16, values: ArraySlice<UInt16>) throws {
        let span = try checkedWrite(address: address, values: values)
        try forEachObject(in: span) { object, offset in
            do {
                try drive.write(object, value: profile.decode(values, at: values.startIndex + offset, for: object))
            } catch let error as SimDriveWriteError {
                // Checked above; a drive that changed its mind between check and write says so.
                throw ModbusServerException(code: ModbusServerException.serverDeviceFailureCode, reason: error.description)
            }
        }
    }

    // MARK: - Private helpers

    /// A span that passed `checkedSpan`: its first object's entry in `starts`, and whether it
    /// is that object alone.
    private struct Span {
        var address: UInt16
        var count: Int
        var first: Int
        var single: Bool
    }

    /// The span of `count` registers from `address`, or exception 02 unless it covers whole
    /// objects a span may hold.
    private func checkedSpan(address: UInt16, count: Int) throws -> Span {
        let end = Int(address) + count
        guard end <= 0x1_0000 else {
            throw ModbusServerException.illegalDataAddress("span of \(count) at \(hex(address)) runs past register 0xFFFF")
        }
        let first = entry(startingAt: address) ?? -1
        if first >= 0, profile.location(of: starts[first].object).width.registerCount == count {
            // Exactly one object: never ambiguous, even where objects overlap.
            return Span(address: address, count: count, first: first, single: true)
        }
        var index = first
        var next = Int(address)
        while next < end {
            guard index >= 0 else {
                throw ModbusServerException.illegalDataAddress("register \(hex(UInt16(next))) is not the start of an object")
            }
            let object = starts[index].object
            let location = profile.location(of: object)
            guard location.end <= end else {
                throw ModbusServerException.illegalDataAddress("span splits the 32-bit object \(object)")
            }
            if profile.isOverlapping(object) {
                throw ModbusServerException.illegalDataAddress(
                    "\(object) shares registers with its neighbours in \(profile.name): access it alone")
            }
            next = location.end
            index = starts[index].next
        }
        return Span(address: address, count: count, first: first, single: false)
    }

    /// Calls `body` with each object of `span`, in address order, and the offset of its first
    /// register in the span.
    private func forEachObject(in span: Span, _ body: (CiA402Object, Int) throws -> Void) rethrows {
        var index = span.first
        var offset = 0
        while offset < span.count {
            let object = starts[index].object
            try body(object, offset)
            if span.single { return }
            offset = profile.location(of: object).end - Int(span.address)
            index = starts[index].next
        }
    }

    /// The entry in `starts` of the object whose first register is `address`, if any.
    private func entry(startingAt address: UInt16) -> Int? {
        var low = 0, high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle].address < address { low = middle + 1 } else { high = middle }
        }
        return low < starts.count && starts[low].address == address ? low : nil
    }

    /// A write's span and checks: addresses first (02, read-only objects included), then values
    /// (03).
    private func checkedWrite(address: UInt16, values: ArraySlice<UInt16>) throws -> Span {
        let span = try checkedSpan(address: address, count: values.count)
        try forEachObject(in: span) { object, _ in
            if isReadOnly(object) {
                throw ModbusServerException.illegalDataAddress("\(object) is read-only")
            }
        }
        try forEachObject(in: span) { object, offset in
            do {
                try drive.validate(object, value: profile.decode(values, at: values.startIndex + offset, for: object))
            } catch let error as SimDriveWriteError {
                throw ModbusServerException.illegalDataValue(error.description)
            }
        }
        return span
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
    /// `value` as the object's registers, clamped to what the registers can hold, appended to
    /// `registers`.
    func encodeClamped(_ value: Int64, for object: CiA402Object, appendingTo registers: inout [UInt16]) {
        registers.append(contentsOf: encodeClamped(value, for: object))
    }

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
