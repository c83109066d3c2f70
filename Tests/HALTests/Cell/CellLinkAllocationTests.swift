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
