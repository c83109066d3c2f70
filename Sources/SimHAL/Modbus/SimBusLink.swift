// An in-memory RS-485 line with a Modbus RTU server at the far end, and link faults injected
// deterministically. Written by hand: the HAL's `ByteStream` contract, Modbus over Serial Line
// v1.02 for framing.
import HAL

/// The client end of a simulated bus: a `ByteStream` whose other end is a `ModbusRTUServer`.
///
/// When the client writes a complete request, the server's reply is computed at once and becomes
/// readable. Nothing waits: in virtual time a reply is there as soon as it is asked for, and
/// when there is nothing to read, `read` returns 0 at once (the deadline has "passed"). A write
/// is taken as followed by line silence, so bytes that do not form a frame by length are handed
/// to the server as one frame at the end of the write (and dropped there for their bad CRC).
///
/// Link faults hit replies (never requests): `inject(.silent, .rate(0.01))`,
/// `inject(.corruptedCRC, .burst(3))`. Which replies a rate hits is drawn from a `SimRandom`
/// on stream `.serialLink`, so a seed replays the same faults. Every start and end of a fault is
/// an event (`faultEvents`, `onFaultEvent`). Not thread-safe: one owner, like a real bus.
public final class SimBusLink: ByteStream {
    public let name: String
    public let server: ModbusRTUServer

    /// Replies the server has produced so far (faulted or not).
    public private(set) var replyCount = 0
    /// Replies a fault was applied to, all kinds together.
    public private(set) var injectedFaultCount = 0
    /// Replies a fault was applied to, by kind.
    public private(set) var injectedFaultCounts: [SimLinkFaultKind: Int] = [:]
    /// Every start and end of a fault, in order.
    public private(set) var faultEvents: [SimLinkFaultEvent] = []
    /// Called with each event as it happens (the world stamps the time and logs it).
    public var onFaultEvent: ((SimLinkFaultEvent) -> Void)?

    private var random: SimRandom
    private var framer = ModbusRTURequestFramer()
    private var readable: [UInt8] = []
    /// The server's reply being delivered, storage reused.
    private var reply: [UInt8] = []
    private var readIndex = 0
    private var isClosed = false
    /// Active schedule per kind, in `SimLinkFaultKind.allCases` order.
    private var schedules: [SimLinkFaultSchedule?] = Array(repeating: nil, count: SimLinkFaultKind.allCases.count)
    /// `SimLinkFaultKind.allCases`, made once (the synthesized property builds a new array);
    /// `index(of:)` is a kind's position in it.
    private static let kinds = SimLinkFaultKind.allCases

    public init(name: String = "bus0", server: ModbusRTUServer, seed: UInt64) {
        self.name = name
        self.server = server
        self.random = SimRandom(seed: seed, stream: .serialLink)
        readable.reserveCapacity(512)
        reply.reserveCapacity(256)
        assert(Self.kinds.indices.allSatisfy { index(of: Self.kinds[$0]) == $0 }, "index(of:) must follow allCases")
    }

    // MARK: - Faults

    /// Starts `kind` on `schedule`, replacing an earlier schedule of the same kind (which ends).
    /// A rate is clamped to 0...1; a burst of 0 or less only ends the fault.
    @discardableResult
    public func inject(_ kind: SimLinkFaultKind, _ schedule: SimLinkFaultSchedule) -> SimLinkFaultEvent? {
        clearFault(kind)
        let normalized: SimLinkFaultSchedule
        switch schedule {
        case let .rate(share): normalized = .rate(min(max(share.isFinite ? share : 0, 0), 1))
        case let .burst(count):
            guard count > 0 else { return nil }
            normalized = .burst(count)
        }
        schedules[index(of: kind)] = normalized
        return record(kind, .started, "\(name): \(kind) started (\(normalized))")
    }

    /// Ends `kind`; returns the event, or nil when it was not active.
    @discardableResult
    public func clearFault(_ kind: SimLinkFaultKind) -> SimLinkFaultEvent? {
        guard schedules[index(of: kind)] != nil else { return nil }
        schedules[index(of: kind)] = nil
        return record(kind, .ended, "\(name): \(kind) ended (cleared)")
    }

    /// Ends every active fault.
    @discardableResult
    public func clearFaults() -> [SimLinkFaultEvent] {
        SimLinkFaultKind.allCases.compactMap { clearFault($0) }
    }

    /// The schedule of `kind`, or nil when it is not active (a burst counts down as it hits).
    public func schedule(of kind: SimLinkFaultKind) -> SimLinkFaultSchedule? {
        schedules[index(of: kind)]
    }

    // MARK: - ByteStream

    public func write(_ bytes: [UInt8], deadline: MonotonicInstant) throws {
        guard !isClosed else { throw HALError(device: name, cause: .closed) }
        // The usual case, one whole request and nothing pending: it is its own frame by length,
        // so hand it over as it is (what the framer would cut, without copying it).
        if framer.pendingCount == 0, ModbusRTURequestFramer.expectedLength(of: bytes[...]) == bytes.count {
            deliver(bytes[...])
            return
        }
        framer.append(bytes)
        while let frame = framer.nextFrame() {
            deliver(frame[...])
        }
        // The end of a write is line silence in virtual time.
        if let rest = framer.takeRemainder() {
            deliver(rest[...])
        }
    }

    public func read(into buffer: inout [UInt8], maxCount: Int, deadline: MonotonicInstant) throws -> Int {
        guard !isClosed else { throw HALError(device: name, cause: .closed) }
        let available = readable.count - readIndex
        let count = min(available, max(0, maxCount))
        guard count > 0 else { return 0 }
        buffer.append(contentsOf: readable[readIndex..<(readIndex + count)])
        readIndex += count
        if readIndex == readable.count {
            readable.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return count
    }

    public func discardInput() throws {
        guard !isClosed else { throw HALError(device: name, cause: .closed) }
        readable.removeAll(keepingCapacity: true)
        readIndex = 0
    }

    public func close() {
        isClosed = true
    }

    // MARK: - Private helpers

    private func deliver(_ frame: ArraySlice<UInt8>) {
        guard server.handle(frame: frame, reply: &reply) else { return }
        replyCount += 1
        switch faultForNextReply() {
        case nil:
            break
        case .silent:
            return
        case .corruptedCRC:
            reply[reply.count - 2] ^= 0xFF
            reply[reply.count - 1] ^= 0xFF
        case .garbledFrame:
            reply.removeLast(min(3, reply.count - 1))
        }
        readable.append(contentsOf: reply)
    }

    /// Bursts first (in `allCases` order), then one draw shared by all rates, so the sequence
    /// of draws depends only on the number of replies while a rate is active.
    private func faultForNextReply() -> SimLinkFaultKind? {
        // Loops by index: `for x in array` allocates an iterator frame in an unoptimized (test)
        // build, and a bus cycle is checked to allocate nothing.
        for position in Self.kinds.indices {
            let kind = Self.kinds[position]
            if case let .burst(remaining) = schedules[index(of: kind)] {
                count(kind)
                if remaining <= 1 {
                    schedules[index(of: kind)] = nil
                    record(kind, .ended, "\(name): \(kind) ended (burst done)")
                } else {
                    schedules[index(of: kind)] = .burst(remaining - 1)
                }
                return kind
            }
        }
        var anyRate = false
        for position in schedules.indices {
            if case .rate = schedules[position] { anyRate = true }
        }
        guard anyRate else { return nil }
        let draw = random.unit()
        var threshold = 0.0
        for position in Self.kinds.indices {
            let kind = Self.kinds[position]
            if case let .rate(share) = schedules[index(of: kind)] {
                threshold += share
                if draw < threshold {
                    count(kind)
                    return kind
                }
            }
        }
        return nil
    }

    private func count(_ kind: SimLinkFaultKind) {
        injectedFaultCount += 1
        injectedFaultCounts[kind, default: 0] += 1
    }

    private func index(of kind: SimLinkFaultKind) -> Int {
        switch kind {
        case .silent: return 0
        case .corruptedCRC: return 1
        case .garbledFrame: return 2
        }
    }

    @discardableResult
    private func record(_ kind: SimLinkFaultKind, _ phase: SimLinkFaultEvent.Phase, _ detail: String) -> SimLinkFaultEvent {
        let event = SimLinkFaultEvent(link: name, kind: kind, phase: phase, replyIndex: replyCount, detail: detail)
        faultEvents.append(event)
        onFaultEvent?(event)
        return event
    }
}
