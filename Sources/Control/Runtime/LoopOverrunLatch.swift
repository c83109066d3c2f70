import HAL
import Synchronization

/// A loop's latched overrun fault, shared lock-free between the thread running the loop (the
/// only one that latches it) and its readers (the control tick, the console).
///
/// A separate object so the control loop can hold it strongly: holding the `PeriodicLoop`
/// itself would make a cycle (its body holds the control loop), and a weak reference costs two
/// atomic operations in every control tick. `isLatched` is one relaxed load, so the tick pays
/// nothing for a fault that is not there.
public final class LoopOverrunLatch: Sendable {
    private let latched = Atomic<Bool>(false)
    private let faultCell = LatestValue<LoopOverrunFault?>(nil)

    public init() {}

    /// True once a fault is latched, until `clear()`. Never blocks.
    public var isLatched: Bool { latched.load(ordering: .acquiring) }

    /// The latched fault, or nil. Never blocks.
    public var fault: LoopOverrunFault? {
        isLatched ? faultCell.read() : nil
    }

    /// Latches `fault` unless one is latched already (the first one is the one reported).
    func latch(_ fault: LoopOverrunFault) {
        guard !isLatched else { return }
        faultCell.publish(fault)
        latched.store(true, ordering: .releasing)
    }

    /// Clears the latched fault. If the loop is still overrunning, the fault latches again at
    /// its next run of overruns.
    public func clear() {
        latched.store(false, ordering: .releasing)
        faultCell.publish(nil)
    }
}
