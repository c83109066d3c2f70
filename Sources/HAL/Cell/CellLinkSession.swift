/// The cell link's bookkeeping with no I/O and no clock: which requests are waiting for an
/// answer, which answers are stale, when the next heartbeat is due, whether the peer is silent,
/// and the newest item. `CellLink` feeds it lines and instants from its I/O thread; tests feed it
/// by hand, so every timing rule is specified without waiting.
///
/// Not thread-safe: one owner (the link's I/O thread).
public final class CellLinkSession {
    /// The port, as in config (`/dev/ttyUSB1`); every fault names it.
    public let port: String
    public let replyTimeoutNanoseconds: UInt64
    /// A WHAT (the item query and heartbeat) is sent this often.
    public let pollPeriodNanoseconds: UInt64
    public private(set) var status: CellLinkStatus

    private struct Outstanding {
        var request: CellRequest
        var sentAt: MonotonicInstant
    }

    private var outstanding: [Outstanding] = []
    private var nextSequence: UInt32 = 1
    private var lastWhatSentAt: MonotonicInstant?
    /// Item answers to WHATs numbered below this are from before the latest MOVE induct: the
    /// item they describe has been stowed (or put aside), so they are never believed.
    private var itemFloorSequence: UInt32 = 0

    public init(port: String, replyTimeoutNanoseconds: UInt64, pollPeriodNanoseconds: UInt64) {
        self.port = port
        self.replyTimeoutNanoseconds = replyTimeoutNanoseconds
        self.pollPeriodNanoseconds = pollPeriodNanoseconds
        status = CellLinkStatus(port: port)
        outstanding.reserveCapacity(16)
    }

    /// The MOVE request for `pose`, numbered and waiting for its answer. Throws `HALError` for a
    /// bin name that cannot go on the wire (empty, spaces, not printable ASCII).
    public func move(to pose: ArmPose, now: MonotonicInstant) throws -> CellRequest {
        try Self.check(pose, device: "cell link \(port)")
        let request = CellRequest.move(sequence: takeSequence(), pose: pose)
        outstanding.append(Outstanding(request: request, sentAt: now))
        if pose.station == .induct {
            itemFloorSequence = request.sequence
            status.item = nil
            status.itemKnown = false
        }
        status.lastMove = CellLinkStatus.Move(sequence: request.sequence, pose: pose, sentAt: now, state: .sent)
        return request
    }

    /// What must be sent at `now`: a WHAT when the poll period has passed and none is waiting.
    /// Also expires requests that waited longer than the reply timeout: the peer is then silent.
    public func due(now: MonotonicInstant) -> CellRequest? {
        expire(now: now)
        let waitingForWhat = outstanding.contains { if case .what = $0.request { return true } else { return false } }
        if waitingForWhat { return nil }
        if let last = lastWhatSentAt, last.nanoseconds(until: now) < pollPeriodNanoseconds, now >= last { return nil }
        let request = CellRequest.what(sequence: takeSequence())
        outstanding.append(Outstanding(request: request, sentAt: now))
        lastWhatSentAt = now
        return request
    }

    /// One line from the cell controller (without its LF).
    public func received(line: Substring, now: MonotonicInstant) {
        let answer: CellAnswer
        do {
            answer = try CellAnswer.parse(line)
        } catch {
            status.badLines += 1
            status.lastBadLine = error.description
            return
        }
        guard let index = outstanding.firstIndex(where: { $0.request.sequence == answer.sequence }) else {
            // An answer to a request that timed out, or to none we sent: never taken for a newer one.
            status.staleAnswers += 1
            return
        }
        let waited = outstanding.remove(at: index)
        status.lastAnswerAt = now
        status.roundTripNanoseconds = waited.sentAt.nanoseconds(until: now)
        status.silence = nil
        switch (waited.request, answer) {
        case (.move, .ok):
            status.lastMove?.state = .accepted
        case let (.move, .err(_, reason)):
            status.lastMove?.state = .refused(reason)
        case let (.what, .item(sequence, entry)):
            if sequence >= itemFloorSequence { status.item = entry; status.itemKnown = true }
        case let (.what, .noItem(sequence)):
            if sequence >= itemFloorSequence { status.item = nil; status.itemKnown = true }
        case let (.what, .err(_, reason)):
            status.lastBadLine = "WHAT \(answer.sequence) refused: \(reason)"
            status.badLines += 1
        default:
            status.badLines += 1
            status.lastBadLine = "answer '\(line)' does not fit request '\(waited.request.summary)'"
        }
    }

    /// Throws `HALError` for a pose the wire cannot carry: a bin name that is empty, longer than
    /// 32 bytes, or has spaces or non-ASCII; a coordinate that is not finite. Allocates nothing
    /// unless it throws.
    public static func check(_ pose: ArmPose, device: String) throws {
        if case let .bin(name) = pose.station {
            guard !name.isEmpty, name.utf8.count <= 32, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw HALError(device: device, cause: .invalidRequest("bin name '\(name)' must be 1-32 printable ASCII characters without spaces"))
            }
        }
        guard pose.xMM.isFinite, pose.advanceMM.isFinite, abs(pose.xMM) < 100_000, abs(pose.advanceMM) < 100_000 else {
            throw HALError(device: device, cause: .invalidRequest("x_mm \(pose.xMM), advance_mm \(pose.advanceMM): each must be a finite distance below 100 m"))
        }
    }

    /// Input that is not even a line (too long without LF): counted like a bad line.
    public func badLine(_ what: String) {
        status.badLines += 1
        status.lastBadLine = what
    }

    /// The port failed (closed, unplugged, an I/O error): a fault until the link is reopened.
    /// Requests waiting for an answer can no longer get one: dropped, a waiting MOVE unanswered.
    public func portFailed(_ error: HALError) {
        status.portError = "\(error)"
        for waiting in outstanding {
            if case .move = waiting.request, status.lastMove?.sequence == waiting.request.sequence {
                status.lastMove?.state = .unanswered
            }
        }
        outstanding.removeAll()
    }

    /// The port is open again: the fault clears, a WHAT goes out at once, and the item is
    /// unknown until it is answered (the cell controller may have moved on meanwhile).
    public func portReopened() {
        status.portError = nil
        status.reopens += 1
        status.itemKnown = false
        status.item = nil
        lastWhatSentAt = nil
    }

    // MARK: - Private helpers

    private func takeSequence() -> UInt32 {
        let sequence = nextSequence
        nextSequence = nextSequence == UInt32.max ? 1 : nextSequence + 1
        return sequence
    }

    private func expire(now: MonotonicInstant) {
        guard let expired = outstanding.first(where: { $0.sentAt.nanoseconds(until: now) > replyTimeoutNanoseconds && now > $0.sentAt }) else {
            return
        }
        let timeoutMS = replyTimeoutNanoseconds / 1_000_000
        status.silence = "no answer to \(expired.request.summary) within \(timeoutMS) ms: the cell controller on \(port) is silent "
            + "(check it is running, the cable, and that both ends use the same baud rate)"
        for waiting in outstanding where waiting.sentAt.nanoseconds(until: now) > replyTimeoutNanoseconds && now > waiting.sentAt {
            if case .move = waiting.request, status.lastMove?.sequence == waiting.request.sequence {
                status.lastMove?.state = .unanswered
            }
        }
        outstanding.removeAll { $0.sentAt.nanoseconds(until: now) > replyTimeoutNanoseconds && now > $0.sentAt }
    }
}
