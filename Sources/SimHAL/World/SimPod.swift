import Config
import HAL

/// An item resting in a bin. Bin coordinates: x from the left wall, z (depth) from the bin front
/// (the band plane) toward the back; items rest on the floor.
public struct PlacedItem: Equatable, Sendable {
    public var item: SimItem
    /// Left edge.
    public var xMM: Double
    /// Depth of the item's front face; its back face is at `frontMM + item.depthMM`.
    public var frontMM: Double

    public var rightMM: Double { xMM + item.widthMM }
    public var backMM: Double { frontMM + item.depthMM }
    public var centreXMM: Double { xMM + item.widthMM / 2 }

    /// Width of the overlap between this item and the span `lowMM...highMM` across the bin.
    public func overlapMM(_ lowMM: Double, _ highMM: Double) -> Double {
        max(0, min(rightMM, highMM) - max(xMM, lowMM))
    }
}

/// One fabric bin of the pod with its elastic bands.
public struct SimBin: Equatable, Sendable {
    public var row: Int
    public var column: Int
    /// The opening on the pod face (face coordinates) and the bin depth.
    public var opening: BinOpening
    public var contents: [PlacedItem]
    /// Heights of the bands above the bin floor.
    public var bandHeightsMM: [Double]
    /// True while the band separator holds the bands open at this bin.
    public var bandsOpen: Bool

    public var name: String { opening.name }
    public var widthMM: Double { opening.widthMM }
    public var heightMM: Double { opening.heightMM }
    public var depthMM: Double { opening.depthMM }
}

/// The pod face: rows x columns of bins, bottom row 0, left column 0.
public struct SimPod: Equatable, Sendable {
    /// Width of the pod frame between neighbouring bins.
    public static let frameMM = 20.0

    public var bins: [SimBin]
    public var rows: Int
    public var columns: Int

    public var faceWidthMM: Double {
        Double(columns) * (bins[0].widthMM + Self.frameMM) + Self.frameMM
    }

    public var faceHeightMM: Double {
        Double(rows) * (bins[0].heightMM + Self.frameMM) + Self.frameMM
    }

    public func index(ofBin name: String) -> Int? {
        bins.firstIndex { $0.name == name }
    }

    /// A pod with seeded initial contents: each bin's floor is filled, on average, to
    /// `initialFillShare` of its width, with items from the same mix as the item stream.
    public init(config: PodConfig, seed: UInt64, profile: SimWorldProfile) {
        rows = config.rows
        columns = config.columns
        var random = SimRandom(seed: seed, stream: .podContents)
        var bins: [SimBin] = []
        for row in 0..<config.rows {
            for column in 0..<config.columns {
                let name = "r\(row)c\(column)"
                let opening = BinOpening(
                    name: name,
                    xMM: Self.frameMM + Double(column) * (config.binWidthMM + Self.frameMM),
                    yMM: Self.frameMM + Double(row) * (config.binHeightMM + Self.frameMM),
                    widthMM: config.binWidthMM, heightMM: config.binHeightMM, depthMM: config.binDepthMM)
                let bands = (0..<config.bandsPerBin).map { band in
                    config.binHeightMM * Double(band + 1) / Double(config.bandsPerBin + 1)
                }
                let contents = Self.fill(opening: opening, share: config.initialFillShare, random: &random, profile: profile)
                bins.append(SimBin(row: row, column: column, opening: opening, contents: contents,
                                   bandHeightsMM: bands, bandsOpen: false))
            }
        }
        self.bins = bins
    }

    /// Items placed left to right with random gaps, pushed back against the back wall (as stows
    /// leave them), until the floor is filled to about `share` of the width.
    private static func fill(opening: BinOpening, share: Double, random: inout SimRandom, profile: SimWorldProfile) -> [PlacedItem] {
        guard share > 0 else { return [] }
        let target = opening.widthMM * min(1, max(0, share * random.uniform(0.6...1.4)))
        var placed: [PlacedItem] = []
        var usedMM = 0.0
        var cursorMM = random.uniform(0...20)
        var attempts = 0
        while usedMM < target, attempts < 40 {
            attempts += 1
            let item = ItemStream.draw(id: "\(opening.name)-\(placed.count + 1)", random: &random, profile: profile)
            guard item.heightMM <= opening.heightMM - 5, item.depthMM <= opening.depthMM else { continue }
            let gap = random.uniform(0...(opening.widthMM * 0.25))
            let x = cursorMM + (placed.isEmpty ? 0 : gap)
            guard x + item.widthMM <= opening.widthMM else { break }
            var front = opening.depthMM - item.depthMM - random.uniform(0...min(40, opening.depthMM - item.depthMM))
            // Some items were left at the front by earlier stows or people, sticking out between
            // the bands, which hold them; opening the bands or shoving them lets them fall.
            let looseShare = profile.looseFrontShare
            if looseShare > 0, random.unit() < looseShare {
                front = -item.depthMM * random.uniform(0.5...0.7)
            }
            placed.append(PlacedItem(item: item, xMM: x, frontMM: front))
            usedMM += item.widthMM
            cursorMM = x + item.widthMM
        }
        return placed
    }
}
