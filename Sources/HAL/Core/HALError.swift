import Glibc

/// An error from a device: which device, and why.
///
/// Every HAL call that touches a device throws this, so a log line or a console answer can always
/// say *which* chip, line, port or drive failed and *what* the cause was (errno, Modbus exception,
/// timeout). `description` is written for the engineer reading it at the robot.
public struct HALError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The device, by the name used in config and logs (`gpiochip0`, `eoat.estop`, `/dev/ttyUSB0`,
    /// `bus0.drive.plank`).
    public var device: String
    public var cause: Cause

    public init(device: String, cause: Cause) {
        self.device = device
        self.cause = cause
    }

    /// Why a device call failed. Kinds are few on purpose (embedded-hal style); details ride along.
    public enum Cause: Equatable, Sendable {
        /// A system call failed. `call` names the C function (`gpiod_line_request_input`, `poll`).
        case errno(call: String, code: Int32)
        /// The device or a named part of it (a line, a port, a USB serial number) does not exist.
        case notFound(String)
        /// The device or line is held by someone else.
        case busy(String)
        /// Nothing (or not enough) arrived before the caller's deadline.
        case timeout
        /// The peer answered with a Modbus exception reply.
        case modbusException(function: UInt8, code: UInt8)
        /// The reply was malformed: bad CRC, wrong unit, wrong function, wrong length.
        case protocolViolation(String)
        /// The device reports a fault of its own (e.g. a CiA 402 drive error code).
        case deviceFault(code: UInt16, meaning: String)
        /// The caller asked for something the device cannot do or was not configured for.
        case invalidRequest(String)
        /// The device was closed, or the port went away.
        case closed
    }

    public var description: String {
        "\(device): \(cause)"
    }
}

extension HALError.Cause: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .errno(call, code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .notFound(what):
            return "not found: \(what)"
        case let .busy(what):
            return "busy: \(what) is in use by another consumer"
        case .timeout:
            return "no answer before the deadline (check power, wiring, address, baud and parity)"
        case let .modbusException(function, code):
            return "Modbus exception \(code) (\(ModbusExceptionCode.meaning(of: code))) to function 0x"
                + String(function, radix: 16, uppercase: true)
        case let .protocolViolation(what):
            return "protocol violation: \(what)"
        case let .deviceFault(code, meaning):
            return "device fault 0x\(String(code, radix: 16, uppercase: true)): \(meaning)"
        case let .invalidRequest(what):
            return "invalid request: \(what)"
        case .closed:
            return "device is closed"
        }
    }
}

/// The standard Modbus exception codes (Modbus Application Protocol v1.1b3, section 7).
public enum ModbusExceptionCode {
    public static func meaning(of code: UInt8) -> String {
        switch code {
        case 1: return "illegal function"
        case 2: return "illegal data address"
        case 3: return "illegal data value"
        case 4: return "server device failure"
        case 5: return "acknowledge"
        case 6: return "server device busy"
        case 8: return "memory parity error"
        case 10: return "gateway path unavailable"
        case 11: return "gateway target device failed to respond"
        default: return "unknown exception"
        }
    }
}
