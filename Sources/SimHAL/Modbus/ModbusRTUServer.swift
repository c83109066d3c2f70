// A Modbus RTU server (slave) for simulated drives. Written by hand from the Modbus Application
// Protocol v1.1b3 (sections 6 and 7) and Modbus over Serial Line v1.02 (2.5.1: RTU framing,
// CRC, broadcast): no Swift Modbus package exists. Reuses the HAL's CRC16 and function codes.
import HAL

/// Answers RTU request frames for any number of units, each with its own register map.
///
/// - Function codes 0x03 and 0x04 (read; one register space), 0x06, 0x10 and 0x17 (write, then
///   read, as the client's `exchange` uses). Any other function: exception 01.
/// - Order of checks, as in the spec's request diagrams: function (01), quantity and byte count
///   (03), addresses (02), values (03). A request is checked whole before anything is written.
/// - Frames with a bad CRC, for an unserved unit, or for 248...255 get no reply.
/// - Unit 0 is broadcast: writes (0x06, 0x10) go to every unit, nobody replies; other
///   functions sent to unit 0 are ignored.
///
/// Pure and synchronous: a frame in, the reply frame (or nothing) out. Not thread-safe.
public final class ModbusRTUServer {
    /// What the server did with the frames it was handed, for tests and logs.
    public struct Statistics: Equatable, Sendable {
        public var frames = 0
        public var replies = 0
        public var exceptions = 0
        public var badCRC = 0
        public var otherUnit = 0
        public var broadcasts = 0
    }

    public private(set) var statistics = Statistics()
    /// The last exception sent, with its reason (the wire only carries the code).
    public private(set) var lastException: (unit: UInt8, function: UInt8, exception: ModbusServerException)?

    /// Maps by unit id (index 0 unused).
    private var maps: [ModbusRegisterMap?] = Array(repeating: nil, count: 248)
    /// The registers of the request being answered (written or read), storage reused.
    private var registerScratch: [UInt16] = []

    public init() {
        registerScratch.reserveCapacity(ModbusRequest.maxReadCount)
    }

    /// Serves `map` as `unit` (1...247), replacing whatever was there.
    public func serve(unit: UInt8, map: ModbusRegisterMap) {
        precondition((1...247).contains(unit), "Modbus unit ids are 1...247 (got \(unit))")
        maps[Int(unit)] = map
    }

    public var servedUnits: [UInt8] {
        (1...247).filter { maps[$0] != nil }.map { UInt8($0) }
    }

    /// Answers one complete RTU frame (unit, PDU, CRC). Returns the reply frame, or nil when the
    /// standard says nothing goes back (bad CRC, other unit, broadcast).
    public func handle(frame: ArraySlice<UInt8>) -> [UInt8]? {
        var reply: [UInt8] = []
        return handle(frame: frame, reply: &reply) ? reply : nil
    }

    /// Like `handle(frame:)`, building the reply in `reply` (emptied first, its storage reused):
    /// true when there is a reply to send. The simulated bus answers every request this way, so
    /// a reply allocates nothing.
    public func handle(frame: ArraySlice<UInt8>, reply: inout [UInt8]) -> Bool {
        reply.removeAll(keepingCapacity: true)
        statistics.frames += 1
        guard frame.count >= 4, CRC16.isValid(frame) else {
            statistics.badCRC += 1
            return false
        }
        let start = frame.startIndex
        let unit = frame[start]
        let pdu = frame[(start + 1)..<(frame.endIndex - 2)]
        let function = pdu[pdu.startIndex]

        if unit == 0 {
            statistics.broadcasts += 1
            guard function == ModbusFunctionCode.writeSingleRegister.rawValue
                || function == ModbusFunctionCode.writeMultipleRegisters.rawValue else { return false }
            for case let map? in maps {
                try? answer(pdu, map: map, into: &reply)
                reply.removeAll(keepingCapacity: true)
            }
            return false
        }
        guard Int(unit) < maps.count, let map = maps[Int(unit)] else {
            statistics.otherUnit += 1
            return false
        }

        reply.append(unit)
        do {
            try answer(pdu, map: map, into: &reply)
        } catch let exception as ModbusServerException {
            statistics.exceptions += 1
            lastException = (unit, function, exception)
            reply.removeSubrange(1...)
            reply.append(function | 0x80)
            reply.append(exception.code)
        } catch {
            statistics.exceptions += 1
            reply.removeSubrange(1...)
            reply.append(function | 0x80)
            reply.append(ModbusServerException.serverDeviceFailureCode)
        }
        CRC16.append(to: &reply)
        statistics.replies += 1
        return true
    }

    // MARK: - Private helpers

    /// Appends the reply PDU for a request PDU to `reply`, or throws a `ModbusServerException`
    /// (having maybe appended part of it: the caller replaces it with the exception).
    private func answer(_ pdu: ArraySlice<UInt8>, map: ModbusRegisterMap, into reply: inout [UInt8]) throws {
        let function = pdu[pdu.startIndex]
        let body = pdu.dropFirst()
        switch ModbusFunctionCode(rawValue: function) {
        case .readHoldingRegisters, .readInputRegisters:
            try expectLength(body, 4)
            let address = word(body, 0), count = Int(word(body, 2))
            try expectQuantity(count, 1...ModbusRequest.maxReadCount)
            try map.readRegisters(address: address, count: count, into: &registerScratch)
            appendRegistersReply(function, registerScratch, to: &reply)

        case .writeSingleRegister:
            try expectLength(body, 4)
            registerScratch.removeAll(keepingCapacity: true)
            registerScratch.append(word(body, 2))
            try map.writeRegisters(address: word(body, 0), values: registerScratch[...])
            reply.append(contentsOf: pdu)  // the reply echoes the request

        case .writeMultipleRegisters:
            guard body.count >= 5 else { throw ModbusServerException.illegalDataValue("FC 0x10 request is too short") }
            let address = word(body, 0), count = Int(word(body, 2))
            try expectQuantity(count, 1...ModbusRequest.maxWriteCount)
            try expectByteCount(body, at: 4, registers: count)
            loadRegisters(body, from: 5, count: count)
            try map.writeRegisters(address: address, values: registerScratch[...])
            reply.append(function)
            reply.append(contentsOf: body.prefix(4))

        case .readWriteMultipleRegisters:
            guard body.count >= 9 else { throw ModbusServerException.illegalDataValue("FC 0x17 request is too short") }
            let readAddress = word(body, 0), readCount = Int(word(body, 2))
            let writeAddress = word(body, 4), writeCount = Int(word(body, 6))
            try expectQuantity(readCount, 1...ModbusRequest.maxReadCount)
            try expectQuantity(writeCount, 1...ModbusRequest.maxReadWriteWriteCount)
            try expectByteCount(body, at: 8, registers: writeCount)
            loadRegisters(body, from: 9, count: writeCount)
            // Check both halves before touching anything; then write first, read second.
            try map.checkWrite(address: writeAddress, values: registerScratch[...])
            try map.checkRead(address: readAddress, count: readCount)
            try map.writeRegisters(address: writeAddress, values: registerScratch[...])
            try map.readRegisters(address: readAddress, count: readCount, into: &registerScratch)
            appendRegistersReply(function, registerScratch, to: &reply)

        case nil:
            throw ModbusServerException.illegalFunction("function 0x\(String(function, radix: 16, uppercase: true)) is not served")
        }
    }

    private func expectLength(_ body: ArraySlice<UInt8>, _ length: Int) throws {
        guard body.count == length else {
            throw ModbusServerException.illegalDataValue("request data is \(body.count) bytes, expected \(length)")
        }
    }

    private func expectQuantity(_ count: Int, _ allowed: ClosedRange<Int>) throws {
        guard allowed.contains(count) else {
            throw ModbusServerException.illegalDataValue("quantity \(count) is outside \(allowed.lowerBound)...\(allowed.upperBound)")
        }
    }

    private func expectByteCount(_ body: ArraySlice<UInt8>, at offset: Int, registers count: Int) throws {
        let byteCount = Int(body[body.startIndex + offset])
        guard byteCount == 2 * count, body.count == offset + 1 + byteCount else {
            throw ModbusServerException.illegalDataValue("byte count \(byteCount) does not match \(count) registers")
        }
    }

    private func word(_ body: ArraySlice<UInt8>, _ offset: Int) -> UInt16 {
        UInt16(body[body.startIndex + offset]) << 8 | UInt16(body[body.startIndex + offset + 1])
    }

    /// The `count` big-endian registers of a write request into `registerScratch`.
    private func loadRegisters(_ body: ArraySlice<UInt8>, from offset: Int, count: Int) {
        registerScratch.removeAll(keepingCapacity: true)
        for index in 0..<count {
            registerScratch.append(word(body, offset + 2 * index))
        }
    }

    /// Function, byte count, then the registers big-endian.
    private func appendRegistersReply(_ function: UInt8, _ registers: [UInt16], to reply: inout [UInt8]) {
        reply.append(function)
        reply.append(UInt8(registers.count * 2))
        for index in registers.indices {  // by index: see SimBusLink.faultForNextReply
            reply.append(UInt8(registers[index] >> 8))
            reply.append(UInt8(registers[index] & 0xFF))
        }
    }
}
