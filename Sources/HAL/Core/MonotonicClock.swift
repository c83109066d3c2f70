import Synchronization

/// Where "now" comes from. Loops, bus schedulers and simulated devices take a clock instead of
/// calling `MonotonicInstant.now()`, so the same code runs on the wall clock and in virtual time.
public protocol MonotonicClock: AnyObject, Sendable {
    func now() -> MonotonicInstant
}

/// CLOCK_MONOTONIC.
public final class SystemClock: MonotonicClock {
    public static let shared = SystemClock()

    public init() {}

    public func now() -> MonotonicInstant { MonotonicInstant.now() }
}

/// A clock that moves only when told to: virtual time for simulated campaigns and for tests.
/// It never runs backwards; `advance(to:)` an earlier instant is ignored.
public final class ManualClock: MonotonicClock {
    private let nanoseconds: Atomic<UInt64>

    public init(start: MonotonicInstant = MonotonicInstant(nanoseconds: 0)) {
        nanoseconds = Atomic(start.nanoseconds)
    }

    public func now() -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds.load(ordering: .acquiring))
    }

    public func advance(to instant: MonotonicInstant) {
        _ = nanoseconds.max(instant.nanoseconds, ordering: .acquiringAndReleasing)
    }

    public func advance(byNanoseconds delta: UInt64) {
        nanoseconds.add(delta, ordering: .acquiringAndReleasing)
    }
}
