import HAL
import Testing
@testable import Perception

@Suite("Elastic bands")
struct BandDetectionTests {
    @Test("two bands across an empty bin are found at their heights, and nothing else is")
    func findsBands() {
        for seed in UInt64(1)...10 {
            let bin = PerceptionPipeline().process(TestScene.standard(seed: seed).render()).bins[0]
            #expect(bin.bands.count == 2, "seed \(seed): \(Array(bin.bands))")
            guard bin.bands.count == 2 else { continue }
            #expect(abs(bin.bands[0].heightMM - 147) <= 4, "seed \(seed): \(bin.bands[0])")
            #expect(abs(bin.bands[1].heightMM - 73) <= 4, "seed \(seed): \(bin.bands[1])")
            #expect(bin.bands[0].coverage > 0.9)
        }
    }

    @Test("no bands, no band detections: the floor and ceiling lips are not bands")
    func noFalseBands() {
        let bin = PerceptionPipeline().process(TestScene.standard(bands: false).render()).bins[0]
        #expect(bin.bands.isEmpty, "\(Array(bin.bands))")
    }

    @Test("a band in front of an item is still found where it crosses the item")
    func bandAcrossItem() {
        let scene = TestScene.standard(boxes: [.init(xMM: 40, widthMM: 120, frontMM: 60, depthMM: 150, heightMM: 180)])
        let bin = PerceptionPipeline().process(scene.render()).bins[0]
        #expect(bin.bands.count == 2)
    }

    @Test("the bin measured through its bands is empty: bands do not count as contents")
    func freeSpaceThroughBands() {
        let bin = PerceptionPipeline().process(TestScene.standard(seed: 5).render()).bins[0]
        #expect(bin.gaps.count == 1)
        #expect(bin.gaps.first.map { $0.widthMM >= 270 && $0.depthMM >= 370 } == true, "\(Array(bin.gaps))")
        #expect(bin.fillRatio < 0.05)
    }
}
