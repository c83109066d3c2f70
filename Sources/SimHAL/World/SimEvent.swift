import HAL

/// Something that happened in the simulated world: the ground truth a campaign compares the
/// controller's verdicts against, and the event log the determinism tests compare.
public struct SimEvent: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case itemArrived = "item-arrived"
        case itemInJaws = "item-in-jaws"
        case itemPlaced = "item-placed"
        case itemFell = "item-fell"
        case itemSidelined = "item-sidelined"
        case itemReturned = "item-returned"
        case contentFell = "content-fell"
        case damage
        case jam
        case bandsOpened = "bands-opened"
        case bandsClosed = "bands-closed"
        case armArrived = "arm-arrived"
        case toolCollision = "tool-collision"
        case faultStarted = "fault-started"
        case faultEnded = "fault-ended"
        case podSwapped = "pod-swapped"
    }

    public var time: MonotonicInstant
    public var kind: Kind
    /// The item, bin, drive or fault concerned.
    public var subject: String
    /// Why, with the numbers that decided it.
    public var detail: String

    public init(time: MonotonicInstant, kind: Kind, subject: String, detail: String) {
        self.time = time
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }

    /// `12.345 s item-fell item-000042: bands closed: band force 14 N > floor friction 3 N`
    public var description: String {
        let seconds = Double(time.nanoseconds) / 1e9
        let stamp = (seconds * 1000).rounded() / 1000
        return "\(stamp) s \(kind.rawValue) \(subject)" + (detail.isEmpty ? "" : ": \(detail)")
    }
}
