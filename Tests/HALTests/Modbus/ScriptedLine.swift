@testable import HAL

/// An in-memory serial line for unit tests of the Modbus client: every written frame is handed to
/// `answer`, and what it returns is what the client reads next.
///
/// Reading an empty line returns 0 at once, which is what a real port does when the deadline
/// passes, so timeouts cost no wall-clock time here.
final class ScriptedLine: ByteStream {
    let name = "scripted"
    /// Frames the client wrote, in order.
    private(set) var written: [[UInt8]] = []
    private(set) var discards = 0
    /// Bytes waiting to be read.
    var pending: [UInt8] = []
    /// At most this many bytes per read, to exercise replies arriving in pieces.
    var bytesPerRead = Int.max
    var answer: ([UInt8]) -> [UInt8]
    private var closed = false

    init(answer: @escaping ([UInt8]) -> [UInt8]) {
        self.answer = answer
    }

    func write(_ bytes: [UInt8], deadline: MonotonicInstant) throws {
        guard !closed else { throw HALError(device: name, cause: .closed) }
        written.append(bytes)
        pending += answer(bytes)
    }

    func read(into buffer: inout [UInt8], maxCount: Int, deadline: MonotonicInstant) throws -> Int {
        guard !closed else { throw HALError(device: name, cause: .closed) }
        let count = min(maxCount, bytesPerRead, pending.count)
        buffer += pending.prefix(count)
        pending.removeFirst(count)
        return count
    }

    func discardInput() throws {
        guard !closed else { throw HALError(device: name, cause: .closed) }
        discards += 1
        pending.removeAll()
    }

    func close() {
        closed = true
    }
}

/// A register file behind one unit id that answers FC 0x03, 0x04, 0x06, 0x10 and 0x17 the way
/// the spec says, parsing requests by hand (not with the client's own code). For the drive's
/// transaction-plan tests.
final class RegisterFileUnit {
    let unit: UInt8
    var registers: [UInt16: UInt16] = [:]
    /// Function codes of the requests served, in order.
    private(set) var functions: [UInt8] = []
    /// Write requests as (function, first address), in order.
    private(set) var writes: [(function: UInt8, address: UInt16)] = []

    init(unit: UInt8) {
        self.unit = unit
    }

    /// The reply frame for `request`, or nothing for another unit or a bad CRC.
    func answer(_ request: [UInt8]) -> [UInt8] {
        guard request.count >= 4, request[0] == unit, CRC16.isValid(request[...]) else { return [] }
        let function = request[1]
        functions.append(function)
        func word(_ at: Int) -> UInt16 { UInt16(request[at]) << 8 | UInt16(request[at + 1]) }
        func readBody(_ address: UInt16, _ count: UInt16) -> [UInt8] {
            var body: [UInt8] = [unit, function, UInt8(count * 2)]
            for offset in 0..<count {
                let value = registers[address + offset] ?? 0
                body += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return body
        }
        func store(_ address: UInt16, _ count: UInt16, from start: Int) {
            for offset in 0..<Int(count) {
                registers[address + UInt16(offset)] = word(start + 2 * offset)
            }
        }
        var body: [UInt8]
        switch function {
        case 0x03, 0x04:
            body = readBody(word(2), word(4))
        case 0x06:
            registers[word(2)] = word(4)
            writes.append((function, word(2)))
            body = Array(request[0..<6])
        case 0x10:
            store(word(2), word(4), from: 7)
            writes.append((function, word(2)))
            body = Array(request[0..<6])
        case 0x17:
            store(word(6), word(8), from: 11)
            writes.append((function, word(6)))
            body = readBody(word(2), word(4))
        default:
            body = [unit, function | 0x80, 0x01]
        }
        CRC16.append(to: &body)
        return body
    }
}
