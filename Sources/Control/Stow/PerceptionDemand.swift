import HAL
import Synchronization

/// Frames the stow cycle is waiting for. On the robot the perception loop runs at its rate all
/// the time; in a simulated campaign it runs only while a frame is wanted, because rendering and
/// processing a frame costs far more than a control tick.
///
/// A request may name one bin: the approach baseline and the verification after a stow look at
/// their bin only, so the pipeline need not analyse the other fifteen (bin selection always asks
/// for every bin).
public final class PerceptionDemand: Sendable {
    private let wantedAfterNanoseconds = Atomic<UInt64>(0)
    /// The one opening index wanted, plus 1; 0 for every bin.
    private let wantedOpeningPlusOne = Atomic<Int>(0)
    private let pending = Atomic<Bool>(false)

    public init() {}

    /// Asks for an observation of a frame captured after `instant`: of every bin, or of the bin
    /// at `openingIndex` in the frame's openings only.
    public func request(after instant: MonotonicInstant, onlyOpening openingIndex: Int? = nil) {
        wantedAfterNanoseconds.store(instant.nanoseconds, ordering: .releasing)
        wantedOpeningPlusOne.store(openingIndex.map { $0 + 1 } ?? 0, ordering: .releasing)
        pending.store(true, ordering: .releasing)
    }

    public var isPending: Bool { pending.load(ordering: .acquiring) }

    /// The one opening the pending request wants observed, or nil for every bin.
    public var onlyOpening: Int? {
        let plusOne = wantedOpeningPlusOne.load(ordering: .acquiring)
        return plusOne > 0 ? plusOne - 1 : nil
    }

    /// True when a frame captured at `frameTimestamp` answers the request; clears it. The
    /// perception loop calls this after publishing.
    public func satisfied(by frameTimestamp: MonotonicInstant) -> Bool {
        guard frameTimestamp.nanoseconds >= wantedAfterNanoseconds.load(ordering: .acquiring) else { return false }
        pending.store(false, ordering: .releasing)
        return true
    }
}
