import CSerialPort
import Glibc

/// RS-485 direction control done by the kernel's UART driver (`struct serial_rs485`,
/// TIOCSRS485): the driver raises RTS, wired to the transceiver's driver-enable, while it sends.
///
/// Needed only for a UART whose transceiver takes its direction from RTS. USB-RS-485 adapters with
/// automatic direction control (most FTDI/CH340 "RS485" dongles) need none and their drivers refuse
/// it: leave it unset for them. Works on any serial file descriptor, so the termios backend can
/// use it too.
public struct RS485Settings: Equatable, Sendable {
    public var enabled: Bool
    /// RTS level while sending. Most transceivers enable their driver on RTS high: true.
    public var rtsOnSend: Bool
    /// RTS level after sending (receiving). The opposite of `rtsOnSend` for a normal transceiver.
    public var rtsAfterSend: Bool
    /// Delay between raising RTS and the first bit, for slow transceivers.
    public var delayBeforeSendMilliseconds: UInt32
    /// Delay between the last bit and dropping RTS.
    public var delayAfterSendMilliseconds: UInt32
    /// Keep the receiver on while sending (echo of our own frames); normally off.
    public var receiveDuringTransmit: Bool

    public init(
        enabled: Bool = true, rtsOnSend: Bool = true, rtsAfterSend: Bool = false,
        delayBeforeSendMilliseconds: UInt32 = 0, delayAfterSendMilliseconds: UInt32 = 0,
        receiveDuringTransmit: Bool = false
    ) {
        self.enabled = enabled
        self.rtsOnSend = rtsOnSend
        self.rtsAfterSend = rtsAfterSend
        self.delayBeforeSendMilliseconds = delayBeforeSendMilliseconds
        self.delayAfterSendMilliseconds = delayAfterSendMilliseconds
        self.receiveDuringTransmit = receiveDuringTransmit
    }

    /// What the driver of `fileDescriptor` has now. `port` names it in errors.
    ///
    /// The corresponding C call is `ioctl(fd, TIOCGRS485, &serial_rs485)`.
    public static func current(fileDescriptor: Int32, port: String) throws -> RS485Settings {
        var kernel = serial_rs485()
        if stow_serial_get_rs485(fileDescriptor, &kernel) != 0 {
            throw error(call: "ioctl(TIOCGRS485)", code: errno, port: port)
        }
        return RS485Settings(kernel: kernel)
    }

    /// Applies these settings to `fileDescriptor` and returns what the driver actually applied
    /// (drivers clamp delays and may drop flags they cannot do). Throws `.invalidRequest` when the
    /// driver has no RS-485 support, or when it accepted the call but left RS-485 off.
    ///
    /// The corresponding C call is `ioctl(fd, TIOCSRS485, &serial_rs485)`.
    @discardableResult
    public func apply(toFileDescriptor fileDescriptor: Int32, port: String) throws -> RS485Settings {
        var kernel = serial_rs485()
        if enabled { kernel.flags |= STOW_SER_RS485_ENABLED }
        if rtsOnSend { kernel.flags |= STOW_SER_RS485_RTS_ON_SEND }
        if rtsAfterSend { kernel.flags |= STOW_SER_RS485_RTS_AFTER_SEND }
        if receiveDuringTransmit { kernel.flags |= STOW_SER_RS485_RX_DURING_TX }
        kernel.delay_rts_before_send = delayBeforeSendMilliseconds
        kernel.delay_rts_after_send = delayAfterSendMilliseconds
        if stow_serial_set_rs485(fileDescriptor, &kernel) != 0 {
            throw Self.error(call: "ioctl(TIOCSRS485)", code: errno, port: port)
        }
        let applied = RS485Settings(kernel: kernel)
        if enabled, !applied.enabled {
            throw HALError(device: port, cause: .invalidRequest(
                "the driver of \(port) accepted TIOCSRS485 but left RS-485 mode off; it cannot drive RTS for direction"))
        }
        return applied
    }

    private init(kernel: serial_rs485) {
        self.init(
            enabled: kernel.flags & STOW_SER_RS485_ENABLED != 0,
            rtsOnSend: kernel.flags & STOW_SER_RS485_RTS_ON_SEND != 0,
            rtsAfterSend: kernel.flags & STOW_SER_RS485_RTS_AFTER_SEND != 0,
            delayBeforeSendMilliseconds: kernel.delay_rts_before_send,
            delayAfterSendMilliseconds: kernel.delay_rts_after_send,
            receiveDuringTransmit: kernel.flags & STOW_SER_RS485_RX_DURING_TX != 0)
    }

    /// ENOTTY (and EINVAL from some drivers) means "this driver has no RS-485": say what to do.
    private static func error(call: String, code: Int32, port: String) -> HALError {
        if code == ENOTTY || code == EINVAL || code == EOPNOTSUPP {
            return HALError(device: port, cause: .invalidRequest(
                "the kernel driver of \(port) does not support RS-485 direction control (\(call): "
                    + "\(String(cString: strerror(code)))). For a USB-RS-485 adapter with automatic direction "
                    + "control, leave rs485 unset; otherwise use a UART whose driver supports RS-485"))
        }
        return HALError(device: port, cause: .errno(call: call, code: code))
    }
}
