/// What the cell link knows, published by its I/O thread after every change and read without
/// waiting by the control tick, the console and `stowctl cell`.
public struct CellLinkStatus: Sendable, Equatable {
    /// A MOVE and what became of it.
    public struct Move: Sendable, Equatable {
        public enum State: Sendable, Equatable {
            /// Written, no answer yet.
            case sent
            /// `OK`: the arm will go; arrival is `arm.in-position`.
            case accepted
            /// `ERR`: the cell controller's reason.
            case refused(String)
            /// No answer within the reply timeout.
            case unanswered
        }

        public var sequence: UInt32
        public var pose: ArmPose
        public var sentAt: MonotonicInstant
        public var state: State
    }

    public var port: String
    /// The newest item answer (nil: no item, or none known yet; see `itemKnown`).
    public var item: ItemCatalogEntry?
    /// False until a WHAT sent after the latest MOVE induct has been answered.
    public var itemKnown = false
    public var lastMove: Move?
    public var lastAnswerAt: MonotonicInstant?
    /// From sending a request to its answer, for the newest answer.
    public var roundTripNanoseconds: UInt64?
    /// Set while the peer is silent: which request went unanswered, on which port, what to check.
    /// Cleared by the next valid answer.
    public var silence: String?
    /// Set while the port itself has failed (closed, unplugged), until it is reopened.
    public var portError: String?
    /// How often the port was reopened after failing.
    public var reopens = 0
    /// Lines that were not valid answers, and the newest of them with what was wrong.
    public var badLines = 0
    public var lastBadLine: String?
    /// Answers whose sequence number matched no waiting request (late, or never asked).
    public var staleAnswers = 0

    public init(port: String) {
        self.port = port
    }

    /// The fault that makes the link unusable, if any: the port failed, or the peer is silent.
    public var fault: String? { portError ?? silence }

    /// Has the cell controller answered anything since the link opened?
    public var hasAnswered: Bool { lastAnswerAt != nil }
}
