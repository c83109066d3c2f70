import HAL
import Synchronization

/// Frames the stow cycle is waiting for. On the robot the perception loop runs at its rate all
/// the time; in a simulated campaign it runs only while a frame is wanted, because rendering and
/// processing a frame costs far more than a control tick.
public final class PerceptionDemand: Sendable {
    private let wantedAfterNanoseconds = Atomic<UInt64>(0)
    private let pending = Atomic<Bool>(false)

    public init() {}

    /// Asks for an observation of a frame captured after `instant`.
    public func request(after instant: MonotonicInstant) {
        wantedAfterNanoseconds.store(instant.nanoseconds, ordering: .releasing)
        pending.store(true, ordering: .releasing)
    }

    public var isPending: Bool { pending.load(ordering: .acquiring) }

    /// True when a frame captured at `frameTimestamp` answers the request; clears it. The
    /// perception loop calls this after publishing.
    public func satisfied(by frameTimestamp: MonotonicInstant) -> Bool {
        guard frameTimestamp.nanoseconds >= wantedAfterNanoseconds.load(ordering: .acquiring) else { return false }
        pending.store(false, ordering: .releasing)
        return true
    }
}
