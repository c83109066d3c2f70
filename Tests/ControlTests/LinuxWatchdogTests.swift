import Control
import Foundation
import HAL
import Testing

/// The Linux watchdog is fed from the control loop and disarmed only by a clean stop.
/// (A regular file stands in for /dev/watchdog here: the kernel driver is exercised on hardware.)
@Suite("Linux watchdog")
struct LinuxWatchdogTests {
    static func bytes(_ path: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
    }

    @Test("keep-alives every quarter of the timeout, the magic 'V' on a clean close")
    func feedAndClose() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watchdog-\(getpid())").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let watchdog = try LinuxWatchdog(path: path, timeoutSeconds: 4)
        for millisecond in stride(from: UInt64(0), through: 3_000, by: 1) {
            watchdog.feed(now: MonotonicInstant(nanoseconds: millisecond * 1_000_000))
        }
        #expect(Self.bytes(path).count == 4, "fed at 0, 1, 2 and 3 s")
        watchdog.closeCleanly()
        #expect(Self.bytes(path).last == UInt8(ascii: "V"))
    }

    @Test("a missing device is a clear error naming it")
    func missing() {
        #expect(throws: HALError.self) { try LinuxWatchdog(path: "/dev/no-such-watchdog", timeoutSeconds: 10) }
    }
}
