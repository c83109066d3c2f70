import Glibc

/// A PM QoS request through `/dev/cpu_dma_latency`: while it is held, no CPU enters an idle
/// state whose exit takes longer than the requested latency. The kernel drops the request
/// when the file is closed, also when the process dies, so it can never outlive us.
///
/// Why the control loop holds one: a CPU waking from a deep idle state adds its exit latency
/// to every wake-up of the loop. cyclictest holds a 0 µs request for the same reason (it
/// prints "/dev/cpu_dma_latency set to 0us"); measured on our VMs, the FIFO loop's median
/// lateness went from about 47 µs to 28 µs with it. The cost is power: idle CPUs only poll
/// or halt. Writing the file needs root or write access to it (see docs/deploy.md).
public final class CPUWakeupLatencyRequest: @unchecked Sendable {
    /// The PM QoS device; `write` takes the limit as a native 32-bit integer in µs.
    public static let devicePath = "/dev/cpu_dma_latency"

    public let microseconds: Int32
    private var descriptor: Int32

    /// Opens the device and writes the limit. Holds it until `release()` or deinit.
    public init(microseconds: Int32) throws(RealtimeCallFailure) {
        let descriptor = open(Self.devicePath, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RealtimeCallFailure(call: "open(\(Self.devicePath))", errno: errno)
        }
        var limit = microseconds
        let written = write(descriptor, &limit, MemoryLayout<Int32>.size)
        guard written == MemoryLayout<Int32>.size else {
            let failure = RealtimeCallFailure(call: "write(\(Self.devicePath), \(microseconds) µs)", errno: errno)
            close(descriptor)
            throw failure
        }
        self.microseconds = microseconds
        self.descriptor = descriptor
    }

    /// Drops the request: idle states are allowed again (unless someone else holds one).
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }

    /// The system-wide limit in force now, in µs (reading the device), nil when unreadable.
    /// 2000000000 is the kernel's "no limit".
    public static func currentLimitMicroseconds() -> Int32? {
        let descriptor = open(devicePath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var limit: Int32 = 0
        return read(descriptor, &limit, MemoryLayout<Int32>.size) == MemoryLayout<Int32>.size ? limit : nil
    }
}
