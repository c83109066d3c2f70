import CSerialPort
import Glibc

/// Turns libserialport's `enum sp_return` into `HALError`, naming the call and the port.
///
/// libserialport returns SP_OK (0) or a count on success, and a negative code on failure; only for
/// SP_ERR_FAIL is there an OS errno (`sp_last_error_code`), which must be read straight away.
enum LibSerialPortResult {
    /// Returns the non-negative result (a byte count for reads and writes), or throws.
    @discardableResult
    static func check(_ result: sp_return, call: String, port: String) throws -> Int {
        let value = Int(result.rawValue)
        if value >= 0 {
            return value
        }
        throw error(result, call: call, port: port)
    }

    /// The error for a negative result. Call straight after the failing call, for its errno.
    static func error(_ result: sp_return, call: String, port: String) -> HALError {
        switch result {
        case SP_ERR_FAIL:
            return HALError(device: port, cause: .errno(call: call, code: sp_last_error_code()))
        case SP_ERR_MEM:
            return HALError(device: port, cause: .errno(call: call, code: ENOMEM))
        case SP_ERR_SUPP:
            return HALError(device: port, cause: .invalidRequest("\(call) is not supported by libserialport here"))
        default:
            return HALError(device: port, cause: .invalidRequest("libserialport rejected the arguments of \(call)"))
        }
    }
}
