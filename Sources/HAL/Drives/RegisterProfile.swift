// Where a drive keeps each CiA 402 object in its Modbus register space. Written by hand: no Swift
// Modbus or CiA 402 package is available to this project.

/// The CiA 402 objects the EOAT uses. Raw values are the object indices (CiA 402-2).
public enum CiA402Object: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case errorCode = 0x603F
    case controlword = 0x6040
    case statusword = 0x6041
    case modesOfOperation = 0x6060
    case positionActualValue = 0x6064
    case velocityActualValue = 0x606C
    /// Per mille of rated current.
    case currentActualValue = 0x6078
    case targetPosition = 0x607A
    case profileVelocity = 0x6081
    case profileAcceleration = 0x6083
    case profileDeceleration = 0x6084
    case quickStopDeceleration = 0x6085
    case targetVelocity = 0x60FF

    public enum ValueType: Sendable {
        case int8, uint16, int16, uint32, int32

        public var range: ClosedRange<Int64> {
            switch self {
            case .int8: return Int64(Int8.min)...Int64(Int8.max)
            case .uint16: return 0...Int64(UInt16.max)
            case .int16: return Int64(Int16.min)...Int64(Int16.max)
            case .uint32: return 0...Int64(UInt32.max)
            case .int32: return Int64(Int32.min)...Int64(Int32.max)
            }
        }
    }

    /// The object's data type in the standard.
    public var valueType: ValueType {
        switch self {
        case .errorCode, .controlword, .statusword: return .uint16
        case .modesOfOperation: return .int8
        case .positionActualValue, .velocityActualValue, .targetPosition, .targetVelocity: return .int32
        case .currentActualValue: return .int16
        case .profileVelocity, .profileAcceleration, .profileDeceleration, .quickStopDeceleration: return .uint32
        }
    }

    /// The name used in config and signal names: `bus0.drive.plank.statusword`.
    public var name: String {
        switch self {
        case .errorCode: return "error-code"
        case .controlword: return "controlword"
        case .statusword: return "statusword"
        case .modesOfOperation: return "mode"
        case .positionActualValue: return "position-actual"
        case .velocityActualValue: return "velocity-actual"
        case .currentActualValue: return "current-actual"
        case .targetPosition: return "target-position"
        case .profileVelocity: return "profile-velocity"
        case .profileAcceleration: return "profile-acceleration"
        case .profileDeceleration: return "profile-deceleration"
        case .quickStopDeceleration: return "quick-stop-deceleration"
        case .targetVelocity: return "target-velocity"
        }
    }

    /// `0x6041 statusword`.
    public var description: String {
        "0x\(String(rawValue, radix: 16, uppercase: true)) \(name)"
    }

    /// How many objects there are: the size of a table indexed by `ordinal`.
    public static let count = allCases.count

    /// The object's position in `allCases` (0..<count): an index into per-object tables, so the
    /// cyclic paths look objects up without hashing.
    public var ordinal: Int {
        switch self {
        case .errorCode: return 0
        case .controlword: return 1
        case .statusword: return 2
        case .modesOfOperation: return 3
        case .positionActualValue: return 4
        case .velocityActualValue: return 5
        case .currentActualValue: return 6
        case .targetPosition: return 7
        case .profileVelocity: return 8
        case .profileAcceleration: return 9
        case .profileDeceleration: return 10
        case .quickStopDeceleration: return 11
        case .targetVelocity: return 12
        }
    }

    /// The object at `ordinal` (0..<count). A switch, not `allCases[ordinal]`: the synthesized
    /// `allCases` builds its array on every call, and this runs in the bus cycle.
    public init(ordinal: Int) {
        switch ordinal {
        case 0: self = .errorCode
        case 1: self = .controlword
        case 2: self = .statusword
        case 3: self = .modesOfOperation
        case 4: self = .positionActualValue
        case 5: self = .velocityActualValue
        case 6: self = .currentActualValue
        case 7: self = .targetPosition
        case 8: self = .profileVelocity
        case 9: self = .profileAcceleration
        case 10: self = .profileDeceleration
        case 11: self = .quickStopDeceleration
        case 12: self = .targetVelocity
        default: preconditionFailure("CiA402Object ordinal \(ordinal) is outside 0..<\(Self.count)")
        }
    }
}

/// A set of `CiA402Object`s as a bit mask (bit `ordinal`): no hashing, no storage to allocate.
public struct CiA402ObjectSet: Equatable, Sendable, Sequence {
    public var bits: UInt16

    public init() { bits = 0 }

    public init<Objects: Sequence>(_ objects: Objects) where Objects.Element == CiA402Object {
        bits = 0
        for object in objects { insert(object) }
    }

    public func contains(_ object: CiA402Object) -> Bool {
        bits & (1 << UInt16(object.ordinal)) != 0
    }

    public mutating func insert(_ object: CiA402Object) {
        bits |= 1 << UInt16(object.ordinal)
    }

    public mutating func remove(_ object: CiA402Object) {
        bits &= ~(1 << UInt16(object.ordinal))
    }

    public var isEmpty: Bool { bits == 0 }

    /// The members in `allCases` order.
    public func makeIterator() -> Iterator { Iterator(remaining: bits) }

    public struct Iterator: IteratorProtocol {
        var remaining: UInt16

        public mutating func next() -> CiA402Object? {
            guard remaining != 0 else { return nil }
            let ordinal = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return CiA402Object(ordinal: ordinal)
        }
    }
}

/// One raw value (drive units) per `CiA402Object`, in fixed storage: what one transaction wrote
/// or read, without a dictionary. Objects never stored read as nil.
public struct CiA402ObjectValues: Sendable {
    private var values: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// The objects stored.
    public private(set) var objects = CiA402ObjectSet()

    public init() {}

    public subscript(object: CiA402Object) -> Int64? {
        get {
            guard objects.contains(object) else { return nil }
            return withUnsafeBytes(of: values) { $0.load(fromByteOffset: object.ordinal * 8, as: Int64.self) }
        }
        set {
            guard let newValue else {
                objects.remove(object)
                return
            }
            objects.insert(object)
            withUnsafeMutableBytes(of: &values) { $0.storeBytes(of: newValue, toByteOffset: object.ordinal * 8, as: Int64.self) }
        }
    }
}

/// How many bits of an object travel in Modbus registers. 32-bit values take two consecutive
/// registers, high word first (the common Modbus convention, and what our drives do).
public enum RegisterWidth: Int, Sendable {
    case bits16 = 16
    case bits32 = 32

    public var registerCount: Int { self == .bits16 ? 1 : 2 }
}

/// One object's place in the register space.
public struct RegisterLocation: Equatable, Sendable {
    public var address: UInt16
    public var width: RegisterWidth

    public init(address: UInt16, width: RegisterWidth) {
        self.address = address
        self.width = width
    }

    /// One past the last register.
    public var end: Int { Int(address) + width.registerCount }
}

/// A run of consecutive registers read or written in one Modbus request.
public struct RegisterSpan: Equatable, Sendable {
    public var address: UInt16
    public var count: Int
    /// The objects in the span, in address order.
    public var objects: [CiA402Object]
}

/// A drive's register map: every `CiA402Object` → address and width.
///
/// Objects whose registers overlap another object's (possible in `cia402-direct`, see there)
/// are only ever accessed alone, never as part of a longer span, so the drive is never asked
/// which of two objects a register belongs to.
public struct RegisterProfile: Sendable {
    /// The profile's name as written in config (`cia402-direct`).
    public let name: String
    public let locations: [CiA402Object: RegisterLocation]
    /// Objects sharing a register with another object.
    public let overlappingObjects: Set<CiA402Object>

    /// `locations` by `CiA402Object.ordinal`, and `overlappingObjects` as a mask: what the cyclic
    /// paths look objects up in (a dictionary lookup hashes; these index).
    private let locationTable: [RegisterLocation]
    private let overlapping: CiA402ObjectSet
    /// The objects that are not overlapping, in address order (ties in `allCases` order): the
    /// candidates for a shared span.
    private let shareableByAddress: [CiA402Object]

    /// Throws `HALError` (`.invalidRequest`) when an object is missing or runs past 0xFFFF.
    public init(name: String, locations: [CiA402Object: RegisterLocation]) throws {
        let device = "register profile \(name)"
        for object in CiA402Object.allCases {
            guard let location = locations[object] else {
                throw HALError(device: device, cause: .invalidRequest("no register for \(object)"))
            }
            guard location.end <= 0x1_0000 else {
                throw HALError(device: device, cause: .invalidRequest("\(object) runs past register 0xFFFF"))
            }
        }
        var overlapping = Set<CiA402Object>()
        for first in CiA402Object.allCases {
            for second in CiA402Object.allCases where first != second {
                let a = locations[first]!, b = locations[second]!
                if Int(a.address) < b.end && Int(b.address) < a.end {
                    overlapping.insert(first)
                }
            }
        }
        self.name = name
        self.locations = locations
        self.overlappingObjects = overlapping
        self.locationTable = CiA402Object.allCases.map { locations[$0]! }
        self.overlapping = CiA402ObjectSet(overlapping)
        self.shareableByAddress = CiA402Object.allCases
            .filter { !overlapping.contains($0) }
            .sorted { locations[$0]!.address < locations[$1]!.address }
    }

    /// Register address == object index, 16-bit objects in one register, 32-bit ones in two
    /// (high word first). 0x6083, 0x6084 and 0x6085 are 32-bit objects at consecutive indices, so
    /// they overlap here: each is read and written alone.
    public static let cia402Direct: RegisterProfile = {
        var locations: [CiA402Object: RegisterLocation] = [:]
        for object in CiA402Object.allCases {
            let width: RegisterWidth
            switch object.valueType {
            case .int8, .uint16, .int16: width = .bits16
            case .uint32, .int32: width = .bits32
            }
            locations[object] = RegisterLocation(address: object.rawValue, width: width)
        }
        // Cannot fail: every object is present and every index is far below 0xFFFF.
        return try! RegisterProfile(name: "cia402-direct", locations: locations)
    }()

    /// The profiles shipped with the code, by config name.
    public static func builtIn(named name: String) -> RegisterProfile? {
        name == cia402Direct.name ? cia402Direct : nil
    }

    public func location(of object: CiA402Object) -> RegisterLocation {
        // Every object is present: checked in init.
        locationTable[object.ordinal]
    }

    /// Whether `object` shares a register with another object (and so is only accessed alone).
    public func isOverlapping(_ object: CiA402Object) -> Bool {
        overlapping.contains(object)
    }

    // MARK: - Values

    /// `value` as the object's registers. Throws `.invalidRequest` when it does not fit the
    /// object's type or the register width.
    public func encode(_ value: Int64, for object: CiA402Object) throws -> [UInt16] {
        var registers: [UInt16] = []
        try encode(value, for: object, appendingTo: &registers)
        return registers
    }

    /// Like `encode(_:for:)`, appending the registers to `registers` (nothing is appended when it
    /// throws): the cyclic exchange reuses one buffer instead of allocating an array per object.
    public func encode(_ value: Int64, for object: CiA402Object, appendingTo registers: inout [UInt16]) throws {
        try checkFits(value, for: object)
        Self.append(UInt32(truncatingIfNeeded: value), width: location(of: object).width, to: &registers)
    }

    /// Throws what `encode` throws for `value`, encoding nothing.
    public func checkFits(_ value: Int64, for object: CiA402Object) throws {
        var range = object.valueType.range
        if location(of: object).width == .bits16 {
            // A 32-bit object squeezed into one register keeps its signedness.
            let narrow: ClosedRange<Int64> = object.valueType == .uint32 ? 0...0xFFFF : -0x8000...0x7FFF
            range = max(range.lowerBound, narrow.lowerBound)...min(range.upperBound, narrow.upperBound)
        }
        guard range.contains(value) else {
            throw HALError(
                device: "register profile \(name)",
                cause: .invalidRequest("\(value) does not fit \(object) (\(range.lowerBound)...\(range.upperBound))"))
        }
    }

    /// `raw` as `width` registers, high word first.
    static func append(_ raw: UInt32, width: RegisterWidth, to registers: inout [UInt16]) {
        switch width {
        case .bits16:
            registers.append(UInt16(truncatingIfNeeded: raw))
        case .bits32:
            registers.append(UInt16(raw >> 16))
            registers.append(UInt16(raw & 0xFFFF))
        }
    }

    /// The object's value from its registers (`registers` holds exactly its register count).
    public func decode(_ registers: ArraySlice<UInt16>, for object: CiA402Object) -> Int64 {
        decode(registers, at: registers.startIndex, for: object)
    }

    /// The object's value from its registers starting at `index` of `registers`.
    public func decode(_ registers: ArraySlice<UInt16>, at index: Int, for object: CiA402Object) -> Int64 {
        let wide = location(of: object).width == .bits32
        return decode(first: registers[index], second: wide ? registers[index + 1] : 0, for: object)
    }

    /// The object's value from the registers of a reply, starting at `index`.
    func decode(_ registers: ModbusReplyRegisters, at index: Int, for object: CiA402Object) -> Int64 {
        let wide = location(of: object).width == .bits32
        return decode(first: registers[index], second: wide ? registers[index + 1] : 0, for: object)
    }

    /// The object's value from its first register and, for a 32-bit one, its second.
    private func decode(first: UInt16, second: UInt16, for object: CiA402Object) -> Int64 {
        switch location(of: object).width {
        case .bits16:
            switch object.valueType {
            case .uint16, .uint32: return Int64(first)
            case .int8, .int16, .int32: return Int64(Int16(bitPattern: first))
            }
        case .bits32:
            let raw = UInt32(first) << 16 | UInt32(second)
            switch object.valueType {
            case .int32, .int16, .int8: return Int64(Int32(bitPattern: raw))
            case .uint32, .uint16: return Int64(raw)
            }
        }
    }

    // MARK: - Spans

    /// As few register spans as possible that cover `objects` for reading. A span may bridge
    /// over other objects of this profile that sit between two wanted ones; reading an object
    /// nobody asked for is harmless and saves a transaction.
    public func readSpans(covering objects: [CiA402Object], maxRegisters: Int = ModbusRequest.maxReadCount) -> [RegisterSpan] {
        spans(covering: objects, bridging: true, maxRegisters: maxRegisters)
    }

    /// As few register spans as possible that cover exactly `objects` for writing. Never
    /// bridges: writing an object nobody asked for would change it.
    public func writeSpans(covering objects: [CiA402Object], maxRegisters: Int = ModbusRequest.maxWriteCount) -> [RegisterSpan] {
        spans(covering: objects, bridging: false, maxRegisters: maxRegisters)
    }

    // MARK: - Private helpers

    private func spans(covering wanted: [CiA402Object], bridging: Bool, maxRegisters: Int) -> [RegisterSpan] {
        let wantedSet = CiA402ObjectSet(wanted)
        var result: [RegisterSpan] = []

        // Overlapping objects go alone.
        for object in wanted where overlapping.contains(object) {
            let location = location(of: object)
            result.append(RegisterSpan(address: location.address, count: location.width.registerCount, objects: [object]))
        }

        // Everything that may share a span, in address order.
        let candidates = bridging ? shareableByAddress : shareableByAddress.filter { wantedSet.contains($0) }

        var current: [CiA402Object] = []
        func closeCurrent() {
            // Bridged objects at the end of a span buy nothing: trim them.
            while let last = current.last, !wantedSet.contains(last) {
                current.removeLast()
            }
            if let first = current.first, let last = current.last {
                let address = location(of: first).address
                result.append(RegisterSpan(address: address, count: location(of: last).end - Int(address), objects: current))
            }
            current = []
        }
        for object in candidates {
            let here = location(of: object)
            if let last = current.last {
                let contiguous = location(of: last).end == Int(here.address)
                let fits = here.end - Int(location(of: current[0]).address) <= maxRegisters
                if !contiguous || !fits {
                    closeCurrent()
                }
            }
            // A span starts only at a wanted object; bridged ones join only in the middle.
            if current.isEmpty && !wantedSet.contains(object) {
                continue
            }
            current.append(object)
        }
        closeCurrent()
        return result.sorted { $0.address < $1.address }
    }
}
