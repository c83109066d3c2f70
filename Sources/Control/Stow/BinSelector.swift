import HAL
import Perception

/// The bin and place an item goes to.
public struct BinChoice: Equatable, Sendable {
    public var binName: String
    /// Index of the bin's opening in the camera frame (for perception's before/after baseline).
    public var openingIndex: Int
    /// Tool centre across the bin, from its left wall.
    public var xMM: Double
    /// Width the plank must clear beyond the free gap (0 when the gap already fits).
    public var pushMM: Double
    /// Lower is better.
    public var score: Double
    public var exploration: Bool
}

/// Scores bins from the newest free-space observation and the item's size.
///
/// A gap fits directly when it is at least as wide, deep and high as the item plus the
/// configured clearances; the tightest such gap wins, so big gaps stay for big items. Failing
/// that, a gap deep and high enough whose bin has enough free floor in total is a candidate for
/// making space: the plank pushes neighbours aside. Those score after every direct fit, less
/// push first. Bins already tried for this item are skipped.
///
/// Cheap enough for the tick (16 bins x 12 gaps, no allocation).
public struct BinSelector: Sendable {
    public var clearanceWidthMM: Double
    public var clearanceHeightMM: Double
    public var clearanceDepthMM: Double
    /// The tool is this much wider than the item (two jaw paddles); the plank clears the tool's width.
    public var toolExtraWidthMM: Double

    public init(clearanceWidthMM: Double, clearanceHeightMM: Double, clearanceDepthMM: Double, toolExtraWidthMM: Double = 16) {
        self.clearanceWidthMM = clearanceWidthMM
        self.clearanceHeightMM = clearanceHeightMM
        self.clearanceDepthMM = clearanceDepthMM
        self.toolExtraWidthMM = toolExtraWidthMM
    }

    /// `exploring` halves the clearances (logged as exploration by the caller).
    public func choose(
        for item: ItemCatalogEntry, in observation: PerceptionObservation, excluding tried: [String], exploring: Bool
    ) -> BinChoice? {
        let relax = exploring ? 0.5 : 1.0
        let neededWidth = item.widthMM + clearanceWidthMM * relax
        let neededDepth = item.depthMM + clearanceDepthMM * relax
        let neededHeight = item.heightMM + clearanceHeightMM * relax
        var best: BinChoice?
        for binIndex in 0..<observation.bins.count {
            let bin = observation.bins[binIndex]
            if tried.contains(bin.name) { continue }
            let binWidthMM = bin.columnWidthMM * Double(bin.columnFreeDepthMM.count)
            // The tool centre keeps the item (and the paddles) inside the walls.
            let lowestX = item.widthMM / 2 + toolExtraWidthMM / 2, highestX = binWidthMM - lowestX
            guard lowestX <= highestX else { continue }
            var freeFloorMM = 0.0
            for gapIndex in 0..<bin.gaps.count where bin.gaps[gapIndex].depthMM >= neededDepth {
                freeFloorMM += bin.gaps[gapIndex].widthMM
            }
            for gapIndex in 0..<bin.gaps.count {
                let gap = bin.gaps[gapIndex]
                guard gap.depthMM >= neededDepth, gap.heightMM >= neededHeight, gap.confidence >= 0.5 else { continue }
                var candidate: BinChoice
                if gap.widthMM >= neededWidth {
                    candidate = BinChoice(binName: bin.name, openingIndex: bin.openingIndex,
                                          xMM: min(max(gap.xMM + gap.widthMM / 2, lowestX), highestX),
                                          pushMM: 0, score: gap.widthMM - neededWidth, exploration: exploring)
                } else {
                    let pushMM = neededWidth + toolExtraWidthMM - gap.widthMM
                    guard freeFloorMM >= neededWidth + toolExtraWidthMM else { continue }
                    candidate = BinChoice(binName: bin.name, openingIndex: bin.openingIndex,
                                          xMM: min(max(gap.xMM + gap.widthMM / 2, lowestX), highestX),
                                          pushMM: pushMM, score: 1000 + pushMM, exploration: exploring)
                }
                if best == nil || candidate.score < best!.score {
                    best = candidate
                }
            }
        }
        return best
    }
}
