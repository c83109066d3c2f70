import Config
import HAL

/// The seeded stream of items arriving at the induct: a mix of kinds, sizes and masses like a
/// fulfilment centre's (many small boxes and bags, some books, a few round things).
///
/// The same seed gives the same items in the same order. Each item's catalog (nominal) size is
/// what the warehouse system would report; the real item differs by a few mm, and the world uses
/// the real one.
public struct ItemStream: Sendable {
    private var random: SimRandom
    private var count = 0
    private let profile: SimWorldProfile
    /// Widest item the induct hands to the EOAT (the jaws open to 160 mm).
    public static let maxInductWidthMM = 145.0

    public init(seed: UInt64, profile: SimWorldProfile) {
        random = SimRandom(seed: seed, stream: .itemStream)
        self.profile = profile
    }

    /// The next item and its catalog entry.
    public mutating func next() -> (item: SimItem, catalog: ItemCatalogEntry) {
        count += 1
        let id = "item-" + String(count).leftPadded(to: 6)
        // The cell routes to this robot only items its jaws can take; wider ones go elsewhere
        // (drawn again, not clamped: clamping piled every wide item up at exactly 145 mm).
        var item = Self.draw(id: id, random: &random, profile: profile)
        while item.widthMM > Self.maxInductWidthMM {
            item = Self.draw(id: id, random: &random, profile: profile)
        }
        let catalog = ItemCatalogEntry(
            id: id, kind: item.kind.rawValue,
            widthMM: (item.widthMM + random.normal(standardDeviation: 2)).rounded(),
            heightMM: (item.heightMM + random.normal(standardDeviation: 2)).rounded(),
            depthMM: (item.depthMM + random.normal(standardDeviation: 2)).rounded(),
            massKG: item.massKG)
        return (item, catalog)
    }

    /// One item of a kind drawn from the mix. Also used to fill bins with initial contents.
    static func draw(id: String, random: inout SimRandom, profile: SimWorldProfile) -> SimItem {
        let roll = random.unit()
        let kind: ItemKind = roll < 0.45 ? .rigidBox : roll < 0.75 ? .softBag : roll < 0.90 ? .book : .round
        // The calibrated profile has a wider size spread: more items near a bin's limits.
        let spread = profile == .paper2025 ? 1.15 : 1.0
        func size(_ low: Double, _ high: Double) -> Double {
            (random.uniform(low...high) * (1 + (spread - 1) * random.unit())).rounded()
        }
        switch kind {
        case .rigidBox:
            let width = size(40, 170), height = size(30, 160), depth = size(40, 230)
            let massKG = 0.0004 * width * height * depth / 1000 * random.uniform(0.5...1.5)
            return SimItem(id: id, kind: kind, widthMM: width, heightMM: height, depthMM: depth,
                           massKG: max(0.05, massKG), fragilityN: random.uniform(120...400),
                           stiffnessNPerMM: 60, maxCompressionMM: 2)
        case .softBag:
            let width = size(60, 200), height = size(20, 110), depth = size(80, 260)
            return SimItem(id: id, kind: kind, widthMM: width, heightMM: height, depthMM: depth,
                           massKG: random.uniform(0.05...0.9), fragilityN: random.uniform(90...200),
                           stiffnessNPerMM: 1.5, maxCompressionMM: width * 0.4)
        case .book:
            let width = size(15, 60), height = size(120, 200), depth = size(100, 180)
            return SimItem(id: id, kind: kind, widthMM: width, heightMM: height, depthMM: depth,
                           massKG: 0.0007 * width * height * depth / 1000, fragilityN: random.uniform(300...600),
                           stiffnessNPerMM: 80, maxCompressionMM: 1)
        case .round:
            let diameter = size(40, 120), height = size(40, 190)
            return SimItem(id: id, kind: kind, widthMM: diameter, heightMM: height, depthMM: diameter,
                           massKG: random.uniform(0.1...1.0), fragilityN: random.uniform(80...250),
                           stiffnessNPerMM: 30, maxCompressionMM: 3)
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
