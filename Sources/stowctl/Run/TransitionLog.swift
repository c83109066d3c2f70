import Control
import Synchronization

/// The stow cycle's transitions, handed from the control thread to the service loop, which logs
/// them: a log line is a write to stderr (the journal's socket under systemd), which may block,
/// and the control thread must not.
///
/// The control thread appends under a `Mutex` (a priority-inheriting futex on Linux) that the
/// service loop holds only to swap the list out. At most `capacity` wait; beyond that the
/// oldest are dropped and counted, so a stalled service loop cannot grow memory.
final class TransitionLog: Sendable {
    static let capacity = 256
    private let pending = Mutex<(transitions: [StowMachine.Transition], dropped: Int)>(([], 0))

    init() {
        pending.withLock { $0.transitions.reserveCapacity(Self.capacity) }
    }

    /// Control thread: keeps `transition` for the next `drain`.
    func append(_ transition: StowMachine.Transition) {
        pending.withLock { entry in
            if entry.transitions.count >= Self.capacity {
                entry.transitions.removeFirst()
                entry.dropped += 1
            }
            entry.transitions.append(transition)
        }
    }

    /// Service loop: the log lines of everything appended since the last call, oldest first.
    func drain() -> [String] {
        let taken = pending.withLock { entry -> (transitions: [StowMachine.Transition], dropped: Int) in
            let taken = entry
            entry.transitions.removeAll(keepingCapacity: true)
            entry.dropped = 0
            return taken
        }
        let dropped = taken.dropped > 0 ? ["stow: \(taken.dropped) transition(s) not logged (the service loop fell behind)"] : []
        return dropped + taken.transitions.map(Self.line)
    }

    /// `stow: grasp -gripped-> approach: cause`.
    static func line(_ transition: StowMachine.Transition) -> String {
        let cause = transition.cause.isEmpty ? "" : ": \(transition.cause)"
        return "stow: \(transition.from.rawValue) -\(transition.event.rawValue)-> \(transition.to.rawValue)\(cause)"
    }
}
