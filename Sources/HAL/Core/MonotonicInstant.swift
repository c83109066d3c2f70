import Glibc

/// A point on CLOCK_MONOTONIC, in nanoseconds. Deadlines passed to devices are these.
///
/// Devices hold no clocks: a caller decides when a call must be done by and passes the instant.
/// The simulator passes virtual instants; hardware backends compare against `now()`.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The current CLOCK_MONOTONIC time. The corresponding C function is `clock_gettime`.
    public static func now() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// `now()` plus a number of milliseconds: the usual way to make a deadline.
    public static func inMilliseconds(_ milliseconds: Double) -> MonotonicInstant {
        now().adding(nanoseconds: UInt64(max(0, milliseconds) * 1_000_000))
    }

    public func adding(nanoseconds delta: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds &+ delta)
    }

    /// Nanoseconds from `self` until `later`; zero when `later` is not after `self`.
    public func nanoseconds(until later: MonotonicInstant) -> UInt64 {
        later.nanoseconds > nanoseconds ? later.nanoseconds - nanoseconds : 0
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public var description: String {
        "\(Double(nanoseconds) / 1e9)s"
    }
}
