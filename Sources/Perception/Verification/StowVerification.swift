/// The answer to "did the stow work?": a before/after comparison of one bin.
public struct StowVerification: Equatable, Sendable {
    /// Something new is in the bin: the occupied volume grew by at least one item's worth more
    /// than anything uncovered.
    public var itemPlaced: Bool
    /// Something sticks out past the bin front now.
    public var protrusion: Bool
    /// Something that was in the bin is gone: the back wall shows where it stood, and nothing new
    /// accounts for the volume.
    public var itemLeftBin: Bool

    /// Volume that became occupied (cells that came nearer by at least `changeMM`).
    public var addedVolumeMM3: Double
    /// Volume uncovered down to the back wall (cells that went back by at least `changeMM` and now
    /// show the back wall).
    public var revealedVolumeMM3: Double
    /// Volume that moved back without uncovering the back wall (items pushed deeper).
    public var pushedBackVolumeMM3: Double
    /// Share of the bin's grid cells seen directly in both frames (0...1); only those are compared.
    public var comparedShare: Double
    /// Sequence number of the "before" frame.
    public var baselineSequence: UInt64

    public init(
        itemPlaced: Bool, protrusion: Bool, itemLeftBin: Bool, addedVolumeMM3: Double,
        revealedVolumeMM3: Double, pushedBackVolumeMM3: Double, comparedShare: Double,
        baselineSequence: UInt64
    ) {
        self.itemPlaced = itemPlaced
        self.protrusion = protrusion
        self.itemLeftBin = itemLeftBin
        self.addedVolumeMM3 = addedVolumeMM3
        self.revealedVolumeMM3 = revealedVolumeMM3
        self.pushedBackVolumeMM3 = pushedBackVolumeMM3
        self.comparedShare = comparedShare
        self.baselineSequence = baselineSequence
    }
}
