import Testing

@testable import HAL

/// The debounce rule: an edge within the interval of the previous *accepted* edge on the same line
/// is dropped and counted. Pure logic, so it is specified here without hardware.
@Suite struct GPIOEdgeDebouncerTests {
    /// Feeds edges (line index, milliseconds) to `debouncer`; returns which were accepted.
    private func decisions(_ debouncer: inout EdgeDebouncer, _ edges: [(line: Int, milliseconds: UInt64)]) -> [Bool] {
        edges.map { edge in
            debouncer.accept(
                lineIndex: edge.line,
                at: MonotonicInstant(nanoseconds: 1_000_000_000 + edge.milliseconds * 1_000_000))
        }
    }

    @Test func test_theFirstEdgeOnALineIsAlwaysAccepted() {
        var debouncer = EdgeDebouncer(lineCount: 1, intervalNanoseconds: 5_000_000)
        #expect(decisions(&debouncer, [(0, 0)]) == [true])
        #expect(debouncer.droppedCounts == [0])
    }

    @Test func test_bouncesWithinTheIntervalAreDroppedAndCounted() {
        var debouncer = EdgeDebouncer(lineCount: 1, intervalNanoseconds: 5_000_000)
        #expect(decisions(&debouncer, [(0, 0), (0, 1), (0, 2), (0, 4)]) == [true, false, false, false])
        #expect(debouncer.droppedCounts == [3])
    }

    @Test func test_theIntervalCountsFromTheLastAcceptedEdgeNotTheLastDroppedOne() {
        var debouncer = EdgeDebouncer(lineCount: 1, intervalNanoseconds: 5_000_000)
        // The edge at 5 ms is 5 ms after the accepted one, though only 1 ms after the dropped one.
        #expect(decisions(&debouncer, [(0, 0), (0, 4), (0, 5)]) == [true, false, true])
    }

    @Test func test_linesAreDebouncedIndependently() {
        var debouncer = EdgeDebouncer(lineCount: 2, intervalNanoseconds: 5_000_000)
        #expect(decisions(&debouncer, [(0, 0), (1, 1), (0, 2)]) == [true, true, false])
        #expect(debouncer.droppedCounts == [1, 0])
    }

    @Test func test_aZeroIntervalKeepsEveryEdge() {
        var debouncer = EdgeDebouncer(lineCount: 1, intervalNanoseconds: 0)
        #expect(decisions(&debouncer, [(0, 0), (0, 0)]) == [true, true])
        #expect(debouncer.droppedCounts == [0])
    }

    @Test func test_anEdgeStampedBeforeTheLastAcceptedOneIsDropped() {
        var debouncer = EdgeDebouncer(lineCount: 1, intervalNanoseconds: 5_000_000)
        #expect(decisions(&debouncer, [(0, 10), (0, 0)]) == [true, false])
    }
}
