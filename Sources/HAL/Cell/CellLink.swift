import Foundation
import Synchronization

/// The cell link on a serial port (docs/cell-link.md): the Linux backend of `ArmLink` and
/// `InductStation`. The cell controller (PLC, arm controller, warehouse gateway) answers MOVE
/// and WHAT requests; arrival of the arm stays on the `arm.in-position` GPIO input and the
/// item's presence on the induct beam break, as before.
///
/// One I/O thread owns the port: it writes requests, reads and parses answers, sends the WHAT
/// heartbeat every poll period and notices a silent peer. The control tick never touches the
/// port: `requestMove` publishes the pose into a `LatestValue` (the newest request wins: an
/// unsent older pose is superseded), and `currentItem` reads the newest `CellLinkStatus` the
/// thread published. Neither waits, and neither allocates unless it throws.
public final class CellLink: @unchecked Sendable {
    /// `cell link /dev/ttyUSB1`, the device name in every `HALError`.
    public let name: String
    public let port: String
    /// An answer later than this makes the peer silent.
    public let replyTimeoutMS: Double
    /// The `ArmLink` to hand to the controller.
    public var arm: ArmLink { CellArmLink(link: self) }
    /// The `InductStation` to hand to the controller.
    public var induct: InductStation { CellInductStation(link: self) }

    /// Owned by the I/O thread once it runs (replaced on reopen); `close()` closes it after
    /// the thread has finished.
    private var stream: ByteStream
    /// Opens the port again after it failed (an unplugged USB adapter); nil: never reopen.
    private let reopen: (() throws -> ByteStream)?
    private let session: CellLinkSession
    private let published: LatestValue<CellLinkStatus>
    /// The newest pose asked for by the tick, numbered, with how many MOVE induct had been
    /// asked for by then.
    private struct PendingMove {
        var number: UInt64
        var pose: ArmPose?
        var inductMovesRequested: UInt64
    }

    private let moveRequests = LatestValue(PendingMove(number: 0, pose: nil, inductMovesRequested: 0))
    private let movesRequested = Atomic<UInt64>(0)
    private let inductMovesRequested = Atomic<UInt64>(0)
    private let inductMovesSent = Atomic<UInt64>(0)
    private let stopping = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private var thread: Thread?

    /// Takes over `stream` (opened by the caller with the configured baud) and starts the I/O
    /// thread. `replyTimeoutMS`: an answer later than this makes the peer silent, a named fault.
    /// `pollMS`: how often WHAT is sent (the item query and heartbeat).
    /// `reopen`, when given, opens the same port again: after the port fails (closed, unplugged)
    /// the link tries it once a second and carries on where it was (`status().reopens` counts).
    /// The thread keeps the link alive until `close()`.
    public init(stream: ByteStream, replyTimeoutMS: Double, pollMS: Double, reopen: (() throws -> ByteStream)? = nil) {
        port = stream.name
        name = "cell link \(stream.name)"
        self.stream = stream
        self.reopen = reopen
        self.replyTimeoutMS = replyTimeoutMS
        // Config and stowctl check the ranges; clamped here so no caller's value can trap.
        session = CellLinkSession(port: stream.name, replyTimeoutNanoseconds: UInt64(min(max(replyTimeoutMS, 1), 3_600_000) * 1e6),
                                  pollPeriodNanoseconds: UInt64(min(max(pollMS, 1), 3_600_000) * 1e6))
        published = LatestValue(session.status)
        let thread = Thread { self.serve() }
        thread.name = "stow-cell-link"
        self.thread = thread
        thread.start()
    }

    /// The newest status. Never waits.
    public func status() -> CellLinkStatus {
        published.read()
    }

    /// Asks for a move; returns at once. Throws `HALError` naming the port while the link is
    /// faulted (the peer silent or the port gone). A refusal (`ERR`) arrives later, in `status()`.
    public func requestMove(to pose: ArmPose) throws {
        try CellLinkSession.check(pose, device: name)
        let current = published.read()
        if current.fault != nil {
            throw HALError(device: name, cause: current.portError != nil ? .closed : .timeout)
        }
        let inductMoves = pose.station == .induct
            ? inductMovesRequested.add(1, ordering: .acquiringAndReleasing).newValue
            : inductMovesRequested.load(ordering: .acquiring)
        let number = movesRequested.add(1, ordering: .acquiringAndReleasing).newValue
        moveRequests.publish(PendingMove(number: number, pose: pose, inductMovesRequested: inductMoves))
    }

    /// The item the cell controller last reported, nil when none or not yet known after the
    /// latest MOVE induct. Throws `HALError` naming the port while the link is faulted.
    public func currentItem() throws -> ItemCatalogEntry? {
        let current = published.read()
        if current.fault != nil {
            throw HALError(device: name, cause: current.portError != nil ? .closed : .timeout)
        }
        // A MOVE induct the I/O thread has not sent yet: the item reported is the previous one.
        if inductMovesSent.load(ordering: .acquiring) != inductMovesRequested.load(ordering: .acquiring) { return nil }
        return current.itemKnown ? current.item : nil
    }

    /// Stops the I/O thread (within about 10 ms) and closes the port. Safe to call twice.
    public func close() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        while thread != nil && !finished.load(ordering: .acquiring) { usleep(1_000) }
        // The thread's closure holds the link: let go of it, or the link is never freed.
        thread = nil
        stream.close()
    }

    // MARK: - The I/O thread

    private static let readSliceNanoseconds: UInt64 = 10_000_000
    /// A line longer than this is garbage (the longest valid ITEM is well under it).
    private static let maxLineBytes = 256

    private func serve() {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        var movesSent: UInt64 = 0
        while !stopping.load(ordering: .acquiring) {
            let now = MonotonicInstant.now()
            if session.status.portError != nil {
                reopenAfterFailure()
                if published.read() != session.status { published.publish(session.status) }
                continue
            }
            do {
                let pending = moveRequests.read()
                if pending.number != movesSent, let pose = pending.pose {
                    movesSent = pending.number
                    let request = try session.move(to: pose, now: now)
                    try send(request, now: now)
                    inductMovesSent.store(pending.inductMovesRequested, ordering: .releasing)
                }
                if let request = session.due(now: now) {
                    try send(request, now: now)
                }
                _ = try stream.read(into: &buffer, maxCount: 512, deadline: now.adding(nanoseconds: Self.readSliceNanoseconds))
                takeLines(from: &buffer)
            } catch let error as HALError {
                session.portFailed(error)
            } catch {
                session.portFailed(HALError(device: name, cause: .protocolViolation("\(error)")))
            }
            if published.read() != session.status {
                published.publish(session.status)
            }
        }
        finished.store(true, ordering: .releasing)
    }

    /// Waits a second (in slices, so `close()` stays quick), then tries `reopen` once.
    private func reopenAfterFailure() {
        for _ in 0..<Self.reopenPauseSlices where !stopping.load(ordering: .acquiring) {
            usleep(10_000)
        }
        guard let reopen, !stopping.load(ordering: .acquiring) else { return }
        // Closed first: the old descriptor's flock would make the new open fail as busy.
        stream.close()
        do {
            stream = try reopen()
            session.portReopened()
        } catch let error as HALError {
            session.portFailed(error)
        } catch {
            session.portFailed(HALError(device: name, cause: .protocolViolation("\(error)")))
        }
    }

    private static let reopenPauseSlices = 100

    private func send(_ request: CellRequest, now: MonotonicInstant) throws {
        try stream.write(Array(request.line.utf8), deadline: now.adding(nanoseconds: session.replyTimeoutNanoseconds))
    }

    private func takeLines(from buffer: inout [UInt8]) {
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = String(decoding: buffer[..<newline], as: UTF8.self)
            buffer.removeSubrange(...newline)
            session.received(line: Substring(line), now: MonotonicInstant.now())
        }
        if buffer.count > Self.maxLineBytes {
            session.badLine("\(buffer.count) bytes without a line end (LF); dropped")
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

/// `ArmLink` over the cell link.
final class CellArmLink: ArmLink {
    let name = "arm"
    private let link: CellLink

    init(link: CellLink) { self.link = link }

    func requestMove(to pose: ArmPose) throws {
        try link.requestMove(to: pose)
    }
}

/// `InductStation` over the cell link.
final class CellInductStation: InductStation {
    let name = "induct"
    private let link: CellLink

    init(link: CellLink) { self.link = link }

    func currentItem() throws -> ItemCatalogEntry? {
        try link.currentItem()
    }
}
