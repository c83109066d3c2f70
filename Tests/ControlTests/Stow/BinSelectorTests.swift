import Control
import HAL
import Perception
import Testing

/// Bin selection from free space: the tightest direct fit, else making space, never a tried bin.
@Suite("Bin selection")
struct BinSelectorTests {
    static let selector = BinSelector(clearanceWidthMM: 10, clearanceHeightMM: 10, clearanceDepthMM: 15)
    static let item = ItemCatalogEntry(id: "item", kind: "rigid-box", widthMM: 80, heightMM: 60, depthMM: 120, massKG: 0.3)

    static func observation(_ bins: [(String, [InsertionGap])]) -> PerceptionObservation {
        var observation = PerceptionObservation()
        for (index, (name, gaps)) in bins.enumerated() {
            var bin = BinObservation()
            bin.name = name
            bin.openingIndex = index
            bin.columnWidthMM = 2.5
            for _ in 0..<112 { bin.columnFreeDepthMM.append(380) }  // a 280 mm wide bin
            for gap in gaps { bin.gaps.append(gap) }
            observation.bins.append(bin)
        }
        return observation
    }

    static func gap(x: Double, width: Double, depth: Double = 300, height: Double = 220) -> InsertionGap {
        InsertionGap(xMM: x, widthMM: width, depthMM: depth, heightMM: height, confidence: 0.9)
    }

    @Test("the tightest gap that fits wins; big gaps stay for big items")
    func tightestFit() throws {
        let observation = Self.observation([("r0c0", [Self.gap(x: 0, width: 200)]), ("r0c1", [Self.gap(x: 50, width: 100)])])
        let choice = try #require(Self.selector.choose(for: Self.item, in: observation, excluding: [], exploring: false))
        #expect(choice.binName == "r0c1")
        #expect(choice.xMM == 100)
        #expect(choice.pushMM == 0)
    }

    @Test("too shallow or too low is no fit; a narrow gap in a bin with room elsewhere is a make-space candidate")
    func makeSpace() throws {
        let shallow = Self.observation([("r0c0", [Self.gap(x: 0, width: 200, depth: 100)])])
        #expect(Self.selector.choose(for: Self.item, in: shallow, excluding: [], exploring: false) == nil)
        let low = Self.observation([("r0c0", [Self.gap(x: 0, width: 200, height: 50)])])
        #expect(Self.selector.choose(for: Self.item, in: low, excluding: [], exploring: false) == nil)
        let narrow = Self.observation([("r0c0", [Self.gap(x: 60, width: 60), Self.gap(x: 200, width: 60)])])
        let choice = try #require(Self.selector.choose(for: Self.item, in: narrow, excluding: [], exploring: false))
        #expect(choice.pushMM > 0)
    }

    @Test("bins already tried are skipped; exploring halves the margins")
    func triedAndExploring() throws {
        let observation = Self.observation([("r0c0", [Self.gap(x: 0, width: 200)]), ("r0c1", [Self.gap(x: 0, width: 86)])])
        let choice = try #require(Self.selector.choose(for: Self.item, in: observation, excluding: ["r0c0"], exploring: true))
        #expect(choice.binName == "r0c1")
        #expect(choice.exploration)
        #expect(Self.selector.choose(for: Self.item, in: observation, excluding: ["r0c0"], exploring: false) == nil,
                "with full margins nothing fits: 86 mm < 80 + 10, and no room to push")
    }

    @Test("the tool centre keeps the item inside the walls")
    func insideWalls() throws {
        let observation = Self.observation([("r0c0", [Self.gap(x: 0, width: 100)])])
        let choice = try #require(Self.selector.choose(for: Self.item, in: observation, excluding: [], exploring: false))
        #expect(choice.xMM >= Self.item.widthMM / 2)
    }
}
