import Dispatch
import Synchronization

/// The bounded hand-off from the console to the control side.
///
/// The console posts and waits on the ticket with a timeout; the control side drains with
/// `drainIfAvailable`, which never waits for the lock (a console thread holding it for a moment
/// costs the control side one drain, not a tick). A full queue refuses the post at once.
public final class ConsoleRequestQueue: Sendable {
    /// Requests waiting at most; a post beyond this is refused.
    public let capacity: Int
    private let pending: Mutex<[(ConsoleRequest, ConsoleTicket)]>

    public init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
        pending = Mutex([])
    }

    /// Queues `request`; nil when the queue is full (the control side is not draining).
    public func post(_ request: ConsoleRequest) -> ConsoleTicket? {
        let ticket = ConsoleTicket()
        let accepted = pending.withLock { entries -> Bool in
            guard entries.count < capacity else { return false }
            entries.append((request, ticket))
            return true
        }
        return accepted ? ticket : nil
    }

    /// Control side: answers every queued request with `handle`, in order. Returns at once,
    /// doing nothing, when the console holds the lock right now.
    public func drainIfAvailable(_ handle: (ConsoleRequest) -> ConsoleReply) {
        guard let taken = pending.withLockIfAvailable({ entries -> [(ConsoleRequest, ConsoleTicket)] in
            defer { entries.removeAll(keepingCapacity: true) }
            return entries
        }) else { return }
        for (request, ticket) in taken {
            ticket.answer(handle(request))
        }
    }
}

/// One posted request's answer, waited for by the console with a timeout.
public final class ConsoleTicket: Sendable {
    private let answered = DispatchSemaphore(value: 0)
    private let reply = Mutex<ConsoleReply?>(nil)

    init() {}

    func answer(_ value: ConsoleReply) {
        reply.withLock { $0 = value }
        answered.signal()
    }

    /// The answer, or nil when none came within `timeoutSeconds`.
    public func wait(timeoutSeconds: Double) -> ConsoleReply? {
        guard answered.wait(timeout: .now() + timeoutSeconds) == .success else { return nil }
        return reply.withLock { $0 }
    }
}
