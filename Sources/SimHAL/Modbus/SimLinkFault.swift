/// A fault injected on a simulated serial link, as the bus master sees it on real hardware.
public enum SimLinkFaultKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The reply never comes (a drive that lost power, a broken wire): the client times out.
    /// The drive did act on the request; only its answer is lost.
    case silent
    /// The reply arrives whole with both CRC bytes inverted (noise on the line): the client
    /// reports `bad CRC`.
    case corruptedCRC = "corrupted-crc"
    /// The reply loses its last 3 bytes (a frame cut short by a glitch): the client reports a
    /// short frame.
    case garbledFrame = "garbled-frame"

    public var description: String { rawValue }
}

/// How often a link fault hits replies.
public enum SimLinkFaultSchedule: Equatable, Sendable, CustomStringConvertible {
    /// This share (0...1) of replies, drawn from the link's `SimRandom` (stream `.serialLink`).
    case rate(Double)
    /// The next N replies, then the fault ends by itself.
    case burst(Int)

    public var description: String {
        switch self {
        case let .rate(share): return "\(share * 100)% of replies"
        case let .burst(count): return "the next \(count) replies"
        }
    }
}

/// A link fault starting or ending, for the event log. The link has no clock: `replyIndex`
/// counts the replies the server has produced, and the owner stamps the time.
public struct SimLinkFaultEvent: Equatable, Sendable, CustomStringConvertible {
    public enum Phase: String, Sendable {
        case started
        case ended
    }

    /// The link's name (`bus0`).
    public var link: String
    public var kind: SimLinkFaultKind
    public var phase: Phase
    /// Replies produced before this event.
    public var replyIndex: Int
    /// `bus0: corrupted-crc started (the next 3 replies)`.
    public var detail: String

    public var description: String { detail }
}
