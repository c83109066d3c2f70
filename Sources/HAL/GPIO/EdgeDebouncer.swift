/// Software debounce for edge events: an edge that comes within `interval` of the previous
/// *accepted* edge on the same line is dropped and counted.
///
/// Mechanical switches (plank-home, jaw-open) bounce for a few milliseconds; the kernel reports
/// every bounce. A pure value type, so the rule is tested without hardware and reused by SimHAL.
///
/// Note: after a burst of bounces the line may settle at the level of a *dropped* edge. A caller
/// that needs the level, not the edge, reads the line after the debounce interval.
public struct EdgeDebouncer: Sendable {
    public let intervalNanoseconds: UInt64
    /// How many edges were dropped on each line since creation.
    public private(set) var droppedCounts: [Int]
    private var lastAccepted: [MonotonicInstant?]

    public init(lineCount: Int, intervalNanoseconds: UInt64) {
        self.intervalNanoseconds = intervalNanoseconds
        self.droppedCounts = Array(repeating: 0, count: lineCount)
        self.lastAccepted = Array(repeating: nil, count: lineCount)
    }

    /// True when the edge on line `index` at `timestamp` is kept; false (and counted) when dropped.
    public mutating func accept(lineIndex index: Int, at timestamp: MonotonicInstant) -> Bool {
        if intervalNanoseconds > 0, let last = lastAccepted[index],
           timestamp < last || last.nanoseconds(until: timestamp) < intervalNanoseconds {
            droppedCounts[index] += 1
            return false
        }
        lastAccepted[index] = timestamp
        return true
    }
}
