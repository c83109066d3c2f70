import AllocationCounter
import Glibc
import HAL
import Testing

/// The stow cycle calls the cell link's `requestMove` and `currentItem` from the control tick,
/// which must not allocate (issue 5). Counted on the calling thread, with the link's own I/O
/// thread (which does allocate: lines, parsing) running against a peer on the far end of a pipe pair.
@Suite("Cell link allocations")
struct CellLinkAllocationTests {
    @Test("currentItem and requestMove, through the HAL contracts, make no heap allocation")
    func tickCallsDoNotAllocate() throws {
        let pipes = try PipePair()
        let link = CellLink(stream: pipes.ours, replyTimeoutMS: 5_000, pollMS: 60_000)
        defer { link.close() }
        // Play the cell controller for one WHAT: read the whole line, answer with an item.
        var received: [UInt8] = []
        let deadline = MonotonicInstant.now().adding(nanoseconds: 5_000_000_000)
        while !received.contains(0x0A), MonotonicInstant.now() < deadline {
            _ = try pipes.theirs.read(into: &received, maxCount: 64, deadline: MonotonicInstant.now().adding(nanoseconds: 10_000_000))
        }
        #expect(String(decoding: received, as: UTF8.self) == "WHAT 1\n")
        try pipes.theirs.write(Array("ITEM 1 B1 book 150 220 25 0.4\n".utf8), deadline: deadline)
        while !link.status().itemKnown, MonotonicInstant.now() < deadline { usleep(1_000) }
        try #require(link.status().itemKnown)

        let arm: ArmLink = link.arm
        let induct: InductStation = link.induct
        let pose = ArmPose(station: .bin("r1c2"), xMM: 140, advanceMM: -20)
        // Warm up: first calls size runtime caches (type metadata), as the tick test warms up.
        _ = try induct.currentItem()
        try arm.requestMove(to: pose)
        var found = 0
        allocation_counter_start()
        for _ in 0..<1_000 {
            if try induct.currentItem() != nil { found += 1 }
            try arm.requestMove(to: pose)
        }
        let allocations = allocation_counter_stop()
        #expect(found == 1_000)
        #expect(allocations == 0)
    }
}

/// Two pipes crossed: what `ours` writes, `theirs` reads, and back. A `ByteStream` like a pty's
/// two ends, without a tty (this test needs no line settings).
final class PipePair {
    let ours: PipeByteStream
    let theirs: PipeByteStream

    init() throws {
        var toThem: [Int32] = [0, 0]
        var toUs: [Int32] = [0, 0]
        guard pipe(&toThem) == 0, pipe(&toUs) == 0 else { throw HALError(device: "pipe", cause: .errno(call: "pipe", code: errno)) }
        ours = PipeByteStream(name: "pipe-ours", readFD: toUs[0], writeFD: toThem[1])
        theirs = PipeByteStream(name: "pipe-theirs", readFD: toThem[0], writeFD: toUs[1])
    }
}

final class PipeByteStream: ByteStream, @unchecked Sendable {
    let name: String
    private let readFD: Int32
    private let writeFD: Int32
    private var closed = false

    init(name: String, readFD: Int32, writeFD: Int32) {
        self.name = name
        self.readFD = readFD
        self.writeFD = writeFD
    }

    func write(_ bytes: [UInt8], deadline: MonotonicInstant) throws {
        let written = bytes.withUnsafeBytes { Glibc.write(writeFD, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw HALError(device: name, cause: .errno(call: "write", code: errno)) }
    }

    func read(into buffer: inout [UInt8], maxCount: Int, deadline: MonotonicInstant) throws -> Int {
        guard !closed else { throw HALError(device: name, cause: .closed) }
        let now = MonotonicInstant.now()
        let waitMS = now < deadline ? Int32(clamping: (now.nanoseconds(until: deadline) + 999_999) / 1_000_000) : 0
        var descriptor = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, waitMS) > 0 else { return 0 }
        var chunk = [UInt8](repeating: 0, count: maxCount)
        let count = chunk.withUnsafeMutableBytes { Glibc.read(readFD, $0.baseAddress, $0.count) }
        guard count > 0 else { throw HALError(device: name, cause: .closed) }
        buffer += chunk[0..<count]
        return count
    }

    func discardInput() throws {}

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(readFD)
        Glibc.close(writeFD)
    }
}
