// Modbus RTU reply decoding, written by hand: no Swift Modbus package is available to this
// project.
//
// Replies are framed by their expected length, never by line silence: the request says how long
// a normal reply is, the function byte says whether it is an exception (always 5 bytes), and for
// reads the byte-count byte must agree with the request. Silence timing is unreliable behind USB
// adapters and on a loaded Linux box; lengths are not.

/// A decoded, validated normal reply.
public enum ModbusReply: Equatable, Sendable {
    /// FC 0x03, 0x04, 0x17: the registers read, in order.
    case registers([UInt16])
    /// FC 0x06: the echo of the register written.
    case wroteRegister(address: UInt16, value: UInt16)
    /// FC 0x10: the echo of the first address and the count written.
    case wroteRegisters(address: UInt16, count: UInt16)

    /// The registers of a read reply; empty for write replies.
    public var registers: [UInt16] {
        if case let .registers(values) = self { return values }
        return []
    }

    /// Decodes one complete reply `frame` (CRC included) to `request` sent to `unit`.
    ///
    /// Throws `HALError` with `.modbusException` for an exception reply and `.protocolViolation`
    /// for anything malformed: short, long, bad CRC, foreign unit, wrong function, wrong byte
    /// count, an echo that does not match. Never returns data from a frame that failed a check.
    public static func decode(_ frame: [UInt8], for request: ModbusRequest, unit: UInt8) throws -> ModbusReply {
        let device = "modbus unit \(unit)"
        switch parse(frame[...], for: request, unit: unit) {
        case let .complete(reply, length):
            guard length == frame.count else {
                throw HALError(
                    device: device,
                    cause: .protocolViolation("\(frame.count - length) bytes after a complete \(length)-byte reply"))
            }
            return reply
        case let .exception(code, length):
            guard length == frame.count else {
                throw HALError(
                    device: device,
                    cause: .protocolViolation("\(frame.count - length) bytes after a complete exception reply"))
            }
            throw HALError(device: device, cause: .modbusException(function: request.function.rawValue, code: code))
        case let .incomplete(expectedLength):
            throw HALError(
                device: device,
                cause: .protocolViolation(ModbusFrameProblem.shortFrame(received: frame.count, expected: expectedLength).description))
        case let .malformed(problem):
            throw HALError(device: device, cause: .protocolViolation(problem.description))
        }
    }

    /// Looks at the bytes received so far for the reply to `request` sent to `unit`.
    ///
    /// Checks what it can as soon as it can (unit, function, byte count) so a foreign or garbled
    /// frame is rejected without waiting for bytes that will never come. Trailing bytes past the
    /// frame are ignored here; the caller decides what they mean.
    public static func parse(_ bytes: ArraySlice<UInt8>, for request: ModbusRequest, unit: UInt8) -> ModbusReplyParse {
        let shape = ModbusReplyShape(request)
        switch check(bytes, for: shape, unit: unit) {
        case let .incomplete(expectedLength):
            return .incomplete(expectedLength: expectedLength)
        case let .complete(length):
            return .complete(reply(fromChecked: bytes, for: shape), length: length)
        case let .exception(code, length):
            return .exception(code: code, length: length)
        case let .malformed(problem):
            return .malformed(problem)
        }
    }

    /// What `parse` decides, without decoding the reply: the client checks replies with this and
    /// reads the registers straight out of its receive buffer.
    static func check(_ bytes: ArraySlice<UInt8>, for shape: ModbusReplyShape, unit: UInt8) -> ModbusReplyCheck {
        let function = shape.function.rawValue
        let normalLength = shape.expectedReplyLength
        let start = bytes.startIndex

        guard bytes.count >= 1 else { return .incomplete(expectedLength: normalLength) }
        guard bytes[start] == unit else {
            return .malformed(.wrongUnit(expected: unit, received: bytes[start]))
        }
        guard bytes.count >= 2 else { return .incomplete(expectedLength: normalLength) }
        let receivedFunction = bytes[start + 1]

        // Exception: unit, function | 0x80, exception code, CRC.
        if receivedFunction == function | 0x80 {
            let length = 5
            guard bytes.count >= length else { return .incomplete(expectedLength: length) }
            let frame = bytes[start..<start + length]
            guard CRC16.isValid(frame) else { return .malformed(.badCRC) }
            return .exception(code: bytes[start + 2], length: length)
        }
        guard receivedFunction == function else {
            return .malformed(.wrongFunction(expected: function, received: receivedFunction))
        }

        switch shape.echo {
        case .none:
            guard bytes.count >= 3 else { return .incomplete(expectedLength: normalLength) }
            let expectedByteCount = 2 * shape.replyRegisterCount
            let receivedByteCount = Int(bytes[start + 2])
            guard receivedByteCount == expectedByteCount else {
                return .malformed(.wrongByteCount(expected: expectedByteCount, received: receivedByteCount))
            }
            guard bytes.count >= normalLength else { return .incomplete(expectedLength: normalLength) }
            guard CRC16.isValid(bytes[start..<start + normalLength]) else { return .malformed(.badCRC) }
            return .complete(length: normalLength)

        case let .register(address, value):
            guard bytes.count >= normalLength else { return .incomplete(expectedLength: normalLength) }
            guard CRC16.isValid(bytes[start..<start + normalLength]) else { return .malformed(.badCRC) }
            let echoedAddress = bigEndianWord(bytes, at: start + 2)
            let echoedValue = bigEndianWord(bytes, at: start + 4)
            guard echoedAddress == address, echoedValue == value else {
                return .malformed(.echoMismatch(
                    "wrote 0x\(hex(value)) at 0x\(hex(address)), echo says 0x\(hex(echoedValue)) at 0x\(hex(echoedAddress))"))
            }
            return .complete(length: normalLength)

        case let .registers(address, count):
            guard bytes.count >= normalLength else { return .incomplete(expectedLength: normalLength) }
            guard CRC16.isValid(bytes[start..<start + normalLength]) else { return .malformed(.badCRC) }
            let echoedAddress = bigEndianWord(bytes, at: start + 2)
            let echoedCount = bigEndianWord(bytes, at: start + 4)
            guard echoedAddress == address, Int(echoedCount) == count else {
                return .malformed(.echoMismatch(
                    "wrote \(count) at 0x\(hex(address)), echo says \(echoedCount) at 0x\(hex(echoedAddress))"))
            }
            return .complete(length: normalLength)
        }
    }

    /// The reply in `bytes`, which `check` found complete for `shape`.
    static func reply(fromChecked bytes: ArraySlice<UInt8>, for shape: ModbusReplyShape) -> ModbusReply {
        let start = bytes.startIndex
        switch shape.echo {
        case .none:
            var registers: [UInt16] = []
            registers.reserveCapacity(shape.replyRegisterCount)
            for index in 0..<shape.replyRegisterCount {
                registers.append(bigEndianWord(bytes, at: start + 3 + 2 * index))
            }
            return .registers(registers)
        case let .register(address, value):
            return .wroteRegister(address: address, value: value)
        case let .registers(address, _):
            return .wroteRegisters(address: address, count: bigEndianWord(bytes, at: start + 4))
        }
    }

    /// The `index`th register of a read reply that `check` found complete.
    static func register(_ index: Int, ofChecked bytes: ArraySlice<UInt8>) -> UInt16 {
        bigEndianWord(bytes, at: bytes.startIndex + 3 + 2 * index)
    }

    // MARK: - Private helpers

    private static func bigEndianWord(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt16 {
        UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }

    private static func hex(_ value: UInt16) -> String {
        String(value, radix: 16, uppercase: true)
    }
}

/// What a normal reply to one request must look like: all a reply check needs of the request,
/// without the values it writes (which the reply does not repeat, except for FC 0x06).
struct ModbusReplyShape: Equatable, Sendable {
    enum Echo: Equatable, Sendable {
        /// A read (FC 0x03, 0x04, 0x17): byte count, then the registers.
        case none
        /// FC 0x06: the request, repeated.
        case register(address: UInt16, value: UInt16)
        /// FC 0x10: the first address and the count.
        case registers(address: UInt16, count: Int)
    }

    var function: ModbusFunctionCode
    /// Registers a normal reply carries (0 for writes).
    var replyRegisterCount: Int
    var echo: Echo

    init(_ request: ModbusRequest) {
        function = request.function
        replyRegisterCount = request.replyRegisterCount
        switch request {
        case .readHoldingRegisters, .readInputRegisters, .readWriteMultipleRegisters:
            echo = .none
        case let .writeSingleRegister(address, value):
            echo = .register(address: address, value: value)
        case let .writeMultipleRegisters(address, values):
            echo = .registers(address: address, count: values.count)
        }
    }

    /// The length of a normal reply frame, CRC included (`ModbusRequest.expectedReplyLength`).
    var expectedReplyLength: Int {
        switch echo {
        case .none: return 3 + 2 * replyRegisterCount + 2
        case .register, .registers: return 8
        }
    }
}

/// The registers of a read reply, read where they arrived: `ModbusReply.registers` without
/// the array. Good until the next call on the client that returned it.
struct ModbusReplyRegisters: RandomAccessCollection {
    /// The reply, checked: unit, function, byte count, then the registers.
    let reply: ArraySlice<UInt8>
    let count: Int

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(index: Int) -> UInt16 {
        precondition(index >= 0 && index < count, "register \(index) of \(count)")
        return ModbusReply.register(index, ofChecked: reply)
    }
}

/// What `ModbusReply.check` found in the bytes received so far: `ModbusReplyParse` without the
/// decoded reply.
enum ModbusReplyCheck: Equatable, Sendable {
    case incomplete(expectedLength: Int)
    case complete(length: Int)
    case exception(code: UInt8, length: Int)
    case malformed(ModbusFrameProblem)
}

/// What the bytes received so far amount to.
public enum ModbusReplyParse: Equatable, Sendable {
    /// Not enough bytes yet; the frame will be `expectedLength` bytes long as far as the bytes seen
    /// tell (the normal length until the function byte shows an exception).
    case incomplete(expectedLength: Int)
    /// A valid normal reply occupying the first `length` bytes.
    case complete(ModbusReply, length: Int)
    /// A valid exception reply (function | 0x80) occupying the first `length` bytes.
    case exception(code: UInt8, length: Int)
    /// The bytes cannot be the reply: the caller must not use them.
    case malformed(ModbusFrameProblem)
}

/// Why received bytes are not a valid reply. Kept apart from the message text so the bus
/// statistics can count CRC errors separately from other violations.
public enum ModbusFrameProblem: Equatable, Sendable, CustomStringConvertible {
    case badCRC
    case wrongUnit(expected: UInt8, received: UInt8)
    case wrongFunction(expected: UInt8, received: UInt8)
    case wrongByteCount(expected: Int, received: Int)
    case echoMismatch(String)
    case shortFrame(received: Int, expected: Int)

    public var description: String {
        switch self {
        case .badCRC:
            return "bad CRC"
        case let .wrongUnit(expected, received):
            return "reply from unit \(received), expected unit \(expected)"
        case let .wrongFunction(expected, received):
            return "reply has function 0x\(Self.hex(received)), expected 0x\(Self.hex(expected))"
        case let .wrongByteCount(expected, received):
            return "reply byte count \(received), expected \(expected)"
        case let .echoMismatch(what):
            return "write echo does not match: \(what)"
        case let .shortFrame(received, expected):
            return "short frame: \(received) of \(expected) bytes"
        }
    }

    private static func hex(_ value: UInt8) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
