// A serial port on a POSIX file descriptor, configured with termios.
//
// Written by hand over Glibc: swift-system wraps `open`/`read`/`write` but has no termios or
// `poll`, and the libserialport backend (LibSerialPort*.swift) refuses pseudo-terminals, which the
// Modbus tests run on. This backend works on ptys and real UARTs alike.
import Glibc

/// A `ByteStream` over a tty file descriptor: a UART (`/dev/ttyS1`), a USB RS-485 adapter
/// (`/dev/ttyUSB0`) or a pseudo-terminal (`/dev/pts/3`).
///
/// The descriptor is non-blocking; every wait is a `poll` bounded by the caller's deadline, so a
/// dead bus costs at most the time the caller allowed. Interrupted calls (`EINTR`) are retried.
/// A hang-up (the USB adapter unplugged, the other end of a pty closed) becomes `.closed`.
///
/// Not thread-safe: one bus has one owner (the bus scheduler's queue).
public final class TermiosPort: ByteStream {
    /// The device path, used as the device name in every `HALError`.
    public let name: String
    public let settings: SerialSettings

    /// -1 once closed.
    private var fd: Int32

    /// Opens `path` and configures the line: raw mode, `settings`, 8 data bits, no flow control.
    ///
    /// The port is locked with `flock(LOCK_EX)` so a second process (a forgotten `stowctl bench`,
    /// a serial terminal) cannot talk over the bus master; that fails with `.busy`.
    /// An unsupported baud rate fails with `.invalidRequest` before the device is touched.
    ///
    /// The corresponding C functions are `open`, `flock`, `tcgetattr`, `cfmakeraw`,
    /// `cfsetispeed`, `cfsetospeed`, `tcsetattr` and `tcflush`.
    public init(path: String, settings: SerialSettings) throws {
        self.name = path
        self.settings = settings
        self.fd = -1

        guard let speed = Self.speedConstant(forBaud: settings.baud) else {
            let allowed = SerialSettings.standardBaudRates.map(String.init).joined(separator: ", ")
            throw HALError(
                device: path,
                cause: .invalidRequest("baud \(settings.baud) is not supported on \(path) (use one of: \(allowed))")
            )
        }

        let opened = Self.retryingOnInterrupt { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
        guard opened >= 0 else {
            let code = errno
            switch code {
            case ENOENT, ENODEV, ENXIO:
                throw HALError(device: path, cause: .notFound("serial port \(path)"))
            case EBUSY:
                throw HALError(device: path, cause: .busy(path))
            default:
                throw HALError(device: path, cause: .errno(call: "open", code: code))
            }
        }
        fd = opened

        // From here on a failure must not leak the descriptor.
        do {
            try lockExclusively(path: path)
            try configureLine(speed: speed, path: path)
        } catch {
            Glibc.close(fd)
            fd = -1
            throw error
        }
    }

    deinit {
        close()
    }

    /// Writes all of `bytes`, waiting for room in the kernel's output buffer until `deadline`.
    ///
    /// Returns when the bytes are queued in the kernel, not when they have left the wire; the
    /// Modbus client accounts for the transmission time itself.
    /// The corresponding C functions are `write` and `poll`.
    public func write(_ bytes: [UInt8], deadline: MonotonicInstant) throws {
        let fd = try openDescriptor()
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written > 0 {
                offset += written
                continue
            }
            let code = errno
            if written < 0 && code == EINTR {
                continue
            }
            if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                switch try waitForDescriptor(events: Int16(POLLOUT), deadline: deadline) {
                case .ready: continue
                case .timedOut: throw HALError(device: name, cause: .timeout)
                case .hungUp: throw HALError(device: name, cause: .closed)
                }
            }
            if code == EIO || code == EPIPE || code == ENXIO || code == ENODEV {
                throw HALError(device: name, cause: .closed)
            }
            throw HALError(device: name, cause: .errno(call: "write", code: code))
        }
    }

    /// Reads what has arrived (up to `maxCount` bytes), waiting for at least one byte until
    /// `deadline`. Returns 0 when the deadline passed with nothing received.
    ///
    /// `poll` takes whole milliseconds, so a wait may end up to 1 ms after `deadline`.
    /// The corresponding C functions are `read` and `poll`.
    public func read(into buffer: inout [UInt8], maxCount: Int, deadline: MonotonicInstant) throws -> Int {
        let fd = try openDescriptor()
        guard maxCount > 0 else { return 0 }
        while true {
            let oldCount = buffer.count
            // Grow the array, read straight into its tail, then trim to what arrived: no scratch copy.
            buffer.append(contentsOf: repeatElement(0, count: maxCount))
            let received = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + oldCount, maxCount)
            }
            let code = errno
            buffer.removeLast(maxCount - max(received, 0))

            if received > 0 {
                return received
            }
            if received == 0 {
                // With VMIN=1 a tty read returns 0 only at end of file: the other side hung up.
                throw HALError(device: name, cause: .closed)
            }
            if code == EINTR {
                continue
            }
            if code == EAGAIN || code == EWOULDBLOCK {
                switch try waitForDescriptor(events: Int16(POLLIN), deadline: deadline) {
                case .ready: continue
                case .timedOut: return 0
                case .hungUp: throw HALError(device: name, cause: .closed)
                }
            }
            if code == EIO || code == ENXIO || code == ENODEV {
                throw HALError(device: name, cause: .closed)
            }
            throw HALError(device: name, cause: .errno(call: "read", code: code))
        }
    }

    /// Drops everything received but not yet read. The corresponding C function is `tcflush`.
    public func discardInput() throws {
        let fd = try openDescriptor()
        if tcflush(fd, TCIFLUSH) != 0 {
            throw HALError(device: name, cause: .errno(call: "tcflush", code: errno))
        }
    }

    /// Closes the descriptor (which also releases the `flock`). Safe to call twice.
    /// The corresponding C function is `close`.
    public func close() {
        guard fd >= 0 else { return }
        // close() is not retried on EINTR: on Linux the descriptor is gone either way.
        Glibc.close(fd)
        fd = -1
    }

    // MARK: - Private helpers

    private enum WaitResult {
        case ready
        case timedOut
        case hungUp
    }

    private func openDescriptor() throws -> Int32 {
        guard fd >= 0 else { throw HALError(device: name, cause: .closed) }
        return fd
    }

    /// Waits with `poll` until `events` are signalled, the line hangs up, or `deadline` passes.
    private func waitForDescriptor(events: Int16, deadline: MonotonicInstant) throws -> WaitResult {
        while true {
            let now = MonotonicInstant.now()
            if now >= deadline {
                return .timedOut
            }
            // Round up so we never wake before the deadline and spin.
            let remainingMilliseconds = (now.nanoseconds(until: deadline) + 999_999) / 1_000_000
            let timeoutMilliseconds = Int32(clamping: remainingMilliseconds)
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let result = Glibc.poll(&descriptor, 1, timeoutMilliseconds)
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                throw HALError(device: name, cause: .errno(call: "poll", code: code))
            }
            if result == 0 {
                continue
            }
            let revents = descriptor.revents
            if revents & Int16(POLLNVAL) != 0 {
                throw HALError(device: name, cause: .closed)
            }
            // Data can arrive together with a hang-up: report ready so the caller reads it first;
            // the next read then sees end of file.
            if revents & events != 0 {
                return .ready
            }
            if revents & Int16(POLLHUP | POLLERR) != 0 {
                return .hungUp
            }
        }
    }

    private func lockExclusively(path: String) throws {
        let result = Self.retryingOnInterrupt { flock(fd, LOCK_EX | LOCK_NB) }
        guard result == 0 else {
            let code = errno
            if code == EWOULDBLOCK {
                throw HALError(device: path, cause: .busy("\(path) (locked by another process)"))
            }
            throw HALError(device: path, cause: .errno(call: "flock", code: code))
        }
    }

    private func configureLine(speed: speed_t, path: String) throws {
        var options = termios()
        guard tcgetattr(fd, &options) == 0 else {
            throw HALError(device: path, cause: .errno(call: "tcgetattr", code: errno))
        }

        // Raw: no echo, no line editing, no CR/LF translation, no signals from bytes.
        cfmakeraw(&options)
        // cfmakeraw leaves software flow control on input (IXOFF) and IXANY alone; a Modbus frame
        // may contain 0x11/0x13, which must stay data.
        options.c_iflag &= ~tcflag_t(IXOFF | IXANY | IXON)
        // Ignore modem lines (CLOCAL) and enable the receiver (CREAD); no hardware handshake.
        options.c_cflag |= tcflag_t(CLOCAL | CREAD)
        options.c_cflag &= ~tcflag_t(CRTSCTS)
        options.c_cflag &= ~tcflag_t(CSIZE)
        options.c_cflag |= tcflag_t(CS8)

        switch settings.parity {
        case .none:
            options.c_cflag &= ~tcflag_t(PARENB | PARODD)
        case .even:
            options.c_cflag |= tcflag_t(PARENB)
            options.c_cflag &= ~tcflag_t(PARODD)
        case .odd:
            options.c_cflag |= tcflag_t(PARENB | PARODD)
        }
        switch settings.stopBits {
        case .one: options.c_cflag &= ~tcflag_t(CSTOPB)
        case .two: options.c_cflag |= tcflag_t(CSTOPB)
        }

        // VMIN=1, VTIME=0: a non-blocking read then says EAGAIN when empty and 0 only at end of
        // file, which is how we tell "nothing yet" from "hung up". (VMIN=0 returns 0 for both.)
        withUnsafeMutableBytes(of: &options.c_cc) { controlCharacters in
            controlCharacters[Int(VMIN)] = 1
            controlCharacters[Int(VTIME)] = 0
        }

        guard cfsetispeed(&options, speed) == 0, cfsetospeed(&options, speed) == 0 else {
            throw HALError(device: path, cause: .errno(call: "cfsetospeed", code: errno))
        }
        guard tcsetattr(fd, TCSANOW, &options) == 0 else {
            throw HALError(device: path, cause: .errno(call: "tcsetattr", code: errno))
        }

        // tcsetattr succeeds if *any* change was applied; read back so a driver that silently
        // ignored the rate is caught here rather than as CRC errors later.
        var applied = termios()
        guard tcgetattr(fd, &applied) == 0 else {
            throw HALError(device: path, cause: .errno(call: "tcgetattr", code: errno))
        }
        guard cfgetospeed(&applied) == speed else {
            throw HALError(device: path, cause: .invalidRequest("the driver of \(path) did not accept baud \(settings.baud)"))
        }
        let frameBits = tcflag_t(PARENB | PARODD | CSTOPB | CSIZE)
        // Linux drops PARENB on a pseudo-terminal (there is no wire to carry a parity bit), so
        // only a real port must keep every framing bit we asked for.
        guard applied.c_cflag & frameBits == options.c_cflag & frameBits || Self.isPseudoTerminal(path) else {
            throw HALError(
                device: path, cause: .invalidRequest("the driver of \(path) did not accept the framing \(settings)"))
        }

        // Whatever arrived before we configured the line was received at the wrong settings.
        if tcflush(fd, TCIOFLUSH) != 0 {
            throw HALError(device: path, cause: .errno(call: "tcflush", code: errno))
        }
    }

    /// The termios `Bxxx` constant for a baud rate, or nil when the rate is not a standard one.
    static func speedConstant(forBaud baud: Int) -> speed_t? {
        switch baud {
        case 1200: return speed_t(B1200)
        case 2400: return speed_t(B2400)
        case 4800: return speed_t(B4800)
        case 9600: return speed_t(B9600)
        case 19200: return speed_t(B19200)
        case 38400: return speed_t(B38400)
        case 57600: return speed_t(B57600)
        case 115_200: return speed_t(B115200)
        case 230_400: return speed_t(B230400)
        case 460_800: return speed_t(B460800)
        case 500_000: return speed_t(B500000)
        case 576_000: return speed_t(B576000)
        case 921_600: return speed_t(B921600)
        default: return nil
        }
    }

    private static func isPseudoTerminal(_ path: String) -> Bool {
        guard let resolved = realpath(path, nil) else { return false }
        defer { free(resolved) }
        return String(decoding: UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)), as: UTF8.self)
            .hasPrefix("/dev/pts/")
    }

    private static func retryingOnInterrupt(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}
