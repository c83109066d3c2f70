import HAL

/// What is really in one bin, for tests and campaign verdicts: the geometry perception estimates.
public struct SimBinGroundTruth: Equatable, Sendable {
    public var opening: BinOpening
    /// Resting items in bin coordinates (x from the left wall, depth from the bin front).
    public var items: [PlacedItem]
    public var bandHeightsMM: [Double]
    public var bandsOpen: Bool

    /// A stretch across the bin floor where an item could go: between `xMM` and
    /// `xMM + widthMM`, at least `depthMM` deep, up to the bin's height.
    public struct Gap: Equatable, Sendable {
        public var xMM: Double
        public var widthMM: Double
        public var depthMM: Double
        public var heightMM: Double
    }

    /// Free depth at `xMM` across the bin: to the nearest resting item there, or to the back.
    public func freeDepthMM(atXMM xMM: Double) -> Double {
        var depth = opening.depthMM
        for placed in items where placed.xMM <= xMM && xMM < placed.rightMM {
            depth = min(depth, max(0, placed.frontMM))
        }
        return depth
    }

    /// Maximal stretches, sampled every `stepMM`, whose free depth is at least `minDepthMM`.
    /// A gap's depth is the shallowest free depth along it.
    public func freeGaps(minDepthMM: Double, stepMM: Double = 1) -> [Gap] {
        var gaps: [Gap] = []
        var start: Double?
        var shallowest = Double.infinity
        var x = stepMM / 2
        while x < opening.widthMM {
            let depth = freeDepthMM(atXMM: x)
            if depth >= minDepthMM {
                if start == nil { start = x - stepMM / 2 }
                shallowest = min(shallowest, depth)
            } else if let begin = start {
                gaps.append(Gap(xMM: begin, widthMM: x - stepMM / 2 - begin, depthMM: shallowest, heightMM: opening.heightMM))
                start = nil
                shallowest = .infinity
            }
            x += stepMM
        }
        if let begin = start {
            gaps.append(Gap(xMM: begin, widthMM: opening.widthMM - begin, depthMM: shallowest, heightMM: opening.heightMM))
        }
        return gaps
    }

    /// Share of the floor's width covered by resting items.
    public var fillRatio: Double {
        var covered = 0.0
        var x = 0.5
        while x < opening.widthMM {
            if items.contains(where: { $0.xMM <= x && x < $0.rightMM }) { covered += 1 }
            x += 1
        }
        return covered / opening.widthMM.rounded(.down)
    }
}

extension SimWorld {
    public func groundTruth(bin index: Int) -> SimBinGroundTruth {
        let bin = pod.bins[index]
        return SimBinGroundTruth(opening: bin.opening, items: bin.contents, bandHeightsMM: bin.bandHeightsMM, bandsOpen: bin.bandsOpen)
    }
}
