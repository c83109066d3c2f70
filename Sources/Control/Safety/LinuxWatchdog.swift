import Glibc
import HAL

/// The Linux watchdog device (`safety.linux_watchdog`), fed from the control loop.
///
/// While the control loop ticks, it writes a keep-alive every quarter of the timeout. If the
/// process hangs or dies without closing cleanly, the kernel's watchdog driver resets the board
/// after `timeoutS` (and the drive-side watchdogs and the STO wiring have already stopped the
/// motors: docs/safety.md). A clean stop writes the magic character 'V' before closing, so a
/// deliberate shutdown does not reset the controller (unless the driver is built with nowayout).
public final class LinuxWatchdog: @unchecked Sendable {
    public let path: String
    public let timeoutSeconds: Int
    private var descriptor: Int32
    private var lastFeed: MonotonicInstant?
    private let feedIntervalNanoseconds: UInt64

    /// Opens the device and sets its timeout. Throws `HALError` naming the device: missing,
    /// no permission, busy (another process holds it), or not a watchdog.
    public init(path: String, timeoutSeconds: Int) throws {
        self.path = path
        self.timeoutSeconds = timeoutSeconds
        feedIntervalNanoseconds = UInt64(timeoutSeconds) * 250_000_000
        descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case EBUSY: throw HALError(device: path, cause: .busy("another process holds the watchdog; stop it first"))
            case ENOENT: throw HALError(device: path, cause: .notFound("no such device; load the watchdog driver or fix safety.linux_watchdog.device"))
            default: throw HALError(device: path, cause: .errno(call: "open", code: code))
            }
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFCHR {
            var seconds = Int32(timeoutSeconds)
            // WDIOC_SETTIMEOUT = _IOWR('W', 6, int)
            if ioctl(descriptor, 0xC004_5706, &seconds) != 0 {
                let code = errno
                close(descriptor)
                throw HALError(device: path, cause: .errno(call: "ioctl(WDIOC_SETTIMEOUT)", code: code))
            }
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Writes a keep-alive if a quarter of the timeout has passed. One write(2), no allocation.
    /// Returns false when the write failed (the supervisor latches it).
    @discardableResult
    public func feed(now: MonotonicInstant) -> Bool {
        if let last = lastFeed, last.nanoseconds(until: now) < feedIntervalNanoseconds { return true }
        lastFeed = now
        var keepAlive: UInt8 = 0x2E  // any byte but 'V' is a keep-alive
        return write(descriptor, &keepAlive, 1) == 1
    }

    /// Disarms (magic close) and closes: for a deliberate, clean shutdown only.
    public func closeCleanly() {
        guard descriptor >= 0 else { return }
        var magic = UInt8(ascii: "V")
        _ = write(descriptor, &magic, 1)
        close(descriptor)
        descriptor = -1
    }
}
