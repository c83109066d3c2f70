import Control
import Logging
import Synchronization

/// Takes each finished stow attempt from the stow cycle, writes it to the journal (when there is
/// one) and only then lets the cycle start the next (`StowMachine.acknowledgeRecorded`). Keeps
/// this session's last attempts as one line each for the console's `journal last N`.
///
/// `takeFinishedAttempt` and `recordInterrupted` are called from one thread: the simulation
/// thread, or the service loop on hardware. `lines(last:)` from any thread.
public final class AttemptRecorder: @unchecked Sendable {
    public let journal: StowJournaling?
    /// The newest attempt acknowledged as recorded.
    public private(set) var recordedThrough = -1
    /// The journal's last error, while attempts cannot be recorded.
    public private(set) var failure: String?
    private let recent = Mutex<[String]>([])
    private let logger = Logger(label: "stow.journal")

    public init(journal: StowJournaling?) {
        self.journal = journal
    }

    /// Records the stow cycle's newest finished attempt if it is new. On a journal error the
    /// attempt is not acknowledged, so the cycle waits in `record`; the next call retries.
    public func takeFinishedAttempt(from machine: StowMachine) {
        guard let record = machine.finishedAttempt.read(), record.attemptIndex > recordedThrough else { return }
        if let journal {
            do {
                try journal.record(record)
                failure = nil
            } catch {
                if failure != "\(error)" {
                    logger.error("journal: attempt \(record.attemptIndex) not recorded: \(error); the stow cycle waits")
                }
                failure = "\(error)"
                return
            }
        }
        recordedThrough = record.attemptIndex
        remember(record)
        machine.acknowledgeRecorded(through: record.attemptIndex)
    }

    /// Journals the attempt a stop interrupted. Returns why it could not be written, if it could not.
    public func recordInterrupted(_ record: StowAttemptRecord) -> String? {
        remember(record)
        guard let journal else { return nil }
        do {
            try journal.record(record)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The last `count` attempts of this session, oldest first, with a header saying where they are kept.
    public func lines(last count: Int) -> [String] {
        let lines = recent.withLock { Array($0.suffix(count)) }
        let source = journal == nil ? "no journal in console simulation mode" : "each also in the journal"
        return ["this session's attempts, in memory (\(source)): \(lines.count)"] + lines
    }

    private func remember(_ record: StowAttemptRecord) {
        let seconds = format3(Double(record.endNanoseconds - min(record.startNanoseconds, record.endNanoseconds)) / 1e9)
        let line = "#\(record.attemptIndex) \(record.outcome.rawValue) item \(record.itemID) (\(record.itemKind)) "
            + "bin \(record.binName ?? "-") in \(seconds) s" + (record.cause.isEmpty ? "" : ": \(record.cause)")
        recent.withLock { lines in
            lines.append(line)
            if lines.count > ConsoleCommand.journalLastLimit { lines.removeFirst(lines.count - ConsoleCommand.journalLastLimit) }
        }
    }
}
