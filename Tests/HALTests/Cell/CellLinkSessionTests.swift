import HAL
import Testing

/// The cell link's rules in hand-stepped time (no waiting, no port): sequence numbers, stale
/// answers, the heartbeat, a silent peer, and when an item is believed.
@Suite("Cell link session")
struct CellLinkSessionTests {
    static let ms: UInt64 = 1_000_000

    func session() -> CellLinkSession {
        CellLinkSession(port: "/dev/ttyS1", replyTimeoutNanoseconds: 200 * Self.ms, pollPeriodNanoseconds: 100 * Self.ms)
    }

    func at(_ milliseconds: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: 1_000 * Self.ms + milliseconds * Self.ms)
    }

    @Test("a WHAT goes out at once, then once per poll period after its answer")
    func heartbeat() throws {
        let link = session()
        let first = try #require(link.due(now: at(0)))
        #expect(first == .what(sequence: 1))
        #expect(link.due(now: at(50)) == nil, "one WHAT waits for its answer")
        link.received(line: "NOITEM 1", now: at(60))
        #expect(link.due(now: at(90)) == nil, "not before the poll period")
        #expect(link.due(now: at(100)) == .what(sequence: 2))
        #expect(link.status.roundTripNanoseconds == 60 * Self.ms)
        #expect(link.status.itemKnown)
        #expect(link.status.item == nil)
    }

    @Test("an unanswered request makes the peer silent, naming the request and the port; the next answer clears it")
    func silentPeer() throws {
        let link = session()
        _ = link.due(now: at(0))
        _ = link.due(now: at(200))
        #expect(link.status.fault == nil, "exactly the timeout is still in time")
        let next = link.due(now: at(201))
        let fault = try #require(link.status.fault)
        #expect(fault.hasPrefix("no answer to WHAT 1 within 200 ms: the cell controller on /dev/ttyS1 is silent"))
        #expect(next == .what(sequence: 2), "the heartbeat goes on while the peer is silent")
        link.received(line: "NOITEM 2", now: at(210))
        #expect(link.status.fault == nil)
    }

    @Test("a late answer to a timed-out request is never taken for the answer to a newer one")
    func staleAnswers() throws {
        let link = session()
        let move = try link.move(to: ArmPose(station: .bin("r1c2"), xMM: 140, advanceMM: -20), now: at(0))
        _ = link.due(now: at(0))
        _ = link.due(now: at(250))  // MOVE 1 and WHAT 2 expire; WHAT 3 goes out
        #expect(link.status.lastMove?.state == .unanswered)
        let retry = try link.move(to: ArmPose(station: .bin("r1c2"), xMM: 140, advanceMM: -20), now: at(260))
        #expect(retry.sequence > move.sequence)
        link.received(line: "OK \(move.sequence)", now: at(270))
        #expect(link.status.lastMove?.state == .sent, "the old OK does not accept the new MOVE")
        #expect(link.status.staleAnswers == 1)
        link.received(line: "ERR \(retry.sequence) bin r1c2 is blocked", now: at(280))
        #expect(link.status.lastMove?.state == .refused("bin r1c2 is blocked"))
        link.received(line: "OK 999", now: at(281))
        #expect(link.status.staleAnswers == 2, "an answer to nothing we asked is stale too")
    }

    @Test("after a MOVE induct the item is unknown until a WHAT sent after it is answered")
    func itemAfterInduct() throws {
        let link = session()
        let entry = ItemCatalogEntry(id: "B1", kind: "book", widthMM: 150, heightMM: 220, depthMM: 25, massKG: 0.4)
        _ = link.due(now: at(0))  // WHAT 1
        link.received(line: "ITEM 1 B1 book 150 220 25 0.4", now: at(5))
        #expect(link.status.item == entry)
        _ = link.due(now: at(100))  // WHAT 2, asked before the move
        _ = try link.move(to: .induct, now: at(101))  // MOVE 3
        #expect(link.status.item == nil)
        #expect(!link.status.itemKnown)
        link.received(line: "ITEM 2 B1 book 150 220 25 0.4", now: at(110))
        #expect(link.status.item == nil, "an answer from before the MOVE induct describes the previous item")
        link.received(line: "OK 3", now: at(111))
        let what = try #require(link.due(now: at(210)))
        link.received(line: "ITEM \(what.sequence) B2 rigid-box 100 100 100 1.5", now: at(215))
        #expect(link.status.item?.id == "B2")
        #expect(link.status.itemKnown)
    }

    @Test("bad lines and answers of the wrong kind are counted, named, and change nothing")
    func badLines() throws {
        let link = session()
        _ = link.due(now: at(0))
        link.received(line: "HELLO", now: at(1))
        #expect(link.status.badLines == 1)
        #expect(link.status.lastBadLine?.contains("unknown keyword 'HELLO'") == true)
        link.received(line: "OK 1", now: at(2))
        #expect(link.status.badLines == 2, "OK does not answer a WHAT")
        #expect(link.status.lastBadLine?.contains("does not fit request 'WHAT 1'") == true)
        #expect(!link.status.itemKnown)
    }

    @Test("a bin name or distance the wire cannot carry is refused before anything is sent", arguments: [
        ArmPose(station: .bin("")), ArmPose(station: .bin("r 1")), ArmPose(station: .bin("r1\nOK")),
        ArmPose(station: .bin(String(repeating: "b", count: 33))), ArmPose(station: .bin("r1"), xMM: .nan),
        ArmPose(station: .bin("r1"), advanceMM: .infinity), ArmPose(station: .bin("r1"), xMM: 1e9),
    ])
    func unsendablePose(pose: ArmPose) {
        let link = session()
        #expect(throws: HALError.self) { _ = try link.move(to: pose, now: at(0)) }
        #expect(link.status.lastMove == nil)
    }

    @Test("sequence numbers count up from 1 across MOVE and WHAT")
    func sequenceCountsUp() throws {
        let link = session()
        var last: UInt32 = 0
        for index in 0..<5 {
            let request = try link.move(to: .sideline, now: at(UInt64(index)))
            #expect(request.sequence == last + 1)
            last = request.sequence
        }
    }
}
