/// What one frame says about one bin. A plain value with inline storage: copying it never
/// allocates.
public struct BinObservation: Sendable {
    public static let maxBands = 8
    public static let maxGaps = 12

    /// The opening's name (`r1c2`).
    public var name: String = ""
    /// Index of the opening in the frame's `openings`.
    public var openingIndex: Int = 0
    public var bands = FixedList<8, DetectedBand>(filler: .none)
    /// Candidate insertion gaps, left to right.
    public var gaps = FixedList<12, InsertionGap>(filler: .none)
    /// Occupied share of the bin's volume (0...1), counting everything behind the first surface
    /// as occupied: an upper bound on the true fill.
    public var fillRatio: Double = 0
    /// Occupancy across width and depth: per grid column (left to right, `columnWidthMM` wide),
    /// the depth from the bin front to the nearest surface anywhere up the column.
    public var columnFreeDepthMM = FixedList<128, Float>(filler: 0)
    public var columnWidthMM: Double = 0
    public var protrusion: ProtrusionReading = .none
    /// Against the verification baseline, when one is set for this bin.
    public var verification: StowVerification?

    public init() {}

    /// True when the floor-plan point (x from the left wall, depth from the front) is occupied
    /// or hidden behind something.
    public func isOccupied(xMM: Double, depthMM: Double) -> Bool {
        guard columnWidthMM > 0, !columnFreeDepthMM.isEmpty else { return true }
        let column = min(columnFreeDepthMM.count - 1, max(0, Int(xMM / columnWidthMM)))
        return depthMM >= Double(columnFreeDepthMM[column])
    }
}
