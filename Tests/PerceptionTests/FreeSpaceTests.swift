import HAL
import Testing
@testable import Perception

@Suite("Free space and insertion gaps")
struct FreeSpaceTests {
    /// Free stretches of the floor between boxes whose fronts are shallower than `minDepthMM`.
    static func trueGaps(_ scene: TestScene, minDepthMM: Double) -> [(xMM: Double, widthMM: Double)] {
        var gaps: [(Double, Double)] = []
        var start: Double?
        var x = 0.25
        while x < scene.opening.widthMM {
            let blocked = scene.boxes.contains { $0.xMM <= x && x < $0.rightMM && $0.frontMM < minDepthMM }
            if !blocked, start == nil { start = x - 0.25 }
            if blocked, let begin = start { gaps.append((begin, x - 0.25 - begin)); start = nil }
            x += 0.5
        }
        if let begin = start { gaps.append((begin, scene.opening.widthMM - begin)) }
        return gaps
    }

    /// Boxes near the bin front, left to right with random sizes and spacing, lower than the
    /// camera (130 mm up) so it sees over them into the gaps beside them; taller items hide part of
    /// a neighbouring gap (docs/perception.md, where it fails).
    static func randomScene(seed: UInt64) -> TestScene {
        var random = TestRandom(seed: seed &+ 1000)
        var boxes: [TestScene.Box] = []
        var cursor = random.uniform(0...60)
        while true {
            let width = random.uniform(30...110)
            guard cursor + width <= 280 else { break }
            boxes.append(.init(xMM: cursor, widthMM: width, frontMM: random.uniform(0...40),
                               depthMM: random.uniform(60...200), heightMM: random.uniform(40...120)))
            cursor += width + random.uniform(0...90)
        }
        return TestScene.standard(boxes: boxes, noiseMM: 2, dropoutShare: 0.01, seed: seed)
    }

    @Test("with 2 mm noise, dropouts and bands, every gap an item could use is found within 10 mm, over 60 seeds")
    func gapAccuracy() {
        let settings = PerceptionSettings()
        for seed in UInt64(1)...60 {
            let scene = Self.randomScene(seed: seed)
            let bin = PerceptionPipeline(settings: settings).process(scene.render()).bins[0]
            let detected = Array(bin.gaps)
            for truth in Self.trueGaps(scene, minDepthMM: settings.minGapDepthMM) where truth.widthMM >= settings.minGapWidthMM + 10 {
                let match = detected.first { abs($0.xMM - truth.xMM) <= 10 && abs($0.widthMM - truth.widthMM) <= 10 }
                #expect(match != nil, "seed \(seed): true gap x \(truth.xMM) w \(truth.widthMM) not in \(detected)")
            }
        }
    }

    @Test("no gap is reported over an item: every reported gap lies in free floor, over 60 seeds")
    func noGapWhereItemCannotFit() {
        let settings = PerceptionSettings()
        for seed in UInt64(1)...60 {
            let scene = Self.randomScene(seed: seed)
            let bin = PerceptionPipeline(settings: settings).process(scene.render()).bins[0]
            let truths = Self.trueGaps(scene, minDepthMM: settings.minGapDepthMM)
            for gap in bin.gaps {
                let inside = truths.contains { gap.xMM >= $0.xMM - 3 && gap.rightMM <= $0.xMM + $0.widthMM + 3 }
                #expect(inside, "seed \(seed): reported \(gap) overlaps an item; free floor is \(truths)")
                #expect(gap.widthMM >= settings.minGapWidthMM)
            }
        }
    }

    @Test("a gap's depth and height are the free space in front of the back wall, and confidence is high when seen")
    func gapDepthAndHeight() {
        let scene = TestScene.standard(boxes: [
            .init(xMM: 0, widthMM: 100, frontMM: 5, depthMM: 150, heightMM: 110),
            .init(xMM: 200, widthMM: 80, frontMM: 5, depthMM: 150, heightMM: 100),
        ])
        let bin = PerceptionPipeline().process(scene.render()).bins[0]
        #expect(bin.gaps.count == 1)
        guard let gap = bin.gaps.first else { return }
        #expect(abs(gap.xMM - 100) <= 5 && abs(gap.widthMM - 100) <= 8, "\(gap)")
        #expect(gap.depthMM >= 360, "\(gap)")
        #expect(gap.heightMM >= 210, "\(gap)")
        #expect(gap.confidence > 0.8, "\(gap)")
        #expect(bin.isOccupied(xMM: 50, depthMM: 20))
        #expect(!bin.isOccupied(xMM: 150, depthMM: 300))
    }

    @Test("the space in front of an item pushed to the back is its own, shallower gap")
    func gapInFrontOfItem() {
        let scene = TestScene.standard(boxes: [.init(xMM: 150, widthMM: 100, frontMM: 260, depthMM: 120, heightMM: 120)])
        let bin = PerceptionPipeline().process(scene.render()).bins[0]
        let inFront = bin.gaps.first { $0.xMM >= 140 && $0.xMM <= 160 }
        #expect(inFront.map { abs($0.depthMM - 260) <= 8 && abs($0.widthMM - 100) <= 10 } == true, "\(Array(bin.gaps))")
        let beside = bin.gaps.first { $0.xMM <= 5 }
        #expect(beside.map { abs($0.widthMM - 150) <= 10 && $0.depthMM >= 360 } == true, "\(Array(bin.gaps))")
    }

    @Test("a full bin has no gaps and a high fill ratio; an empty one the reverse")
    func fillRatio() {
        let full = TestScene.standard(boxes: [.init(xMM: 0, widthMM: 280, frontMM: 0, depthMM: 380, heightMM: 220)])
        let fullBin = PerceptionPipeline().process(full.render()).bins[0]
        #expect(fullBin.gaps.isEmpty)
        #expect(fullBin.fillRatio > 0.95)
        let emptyBin = PerceptionPipeline().process(TestScene.standard().render()).bins[0]
        #expect(emptyBin.fillRatio < 0.05)
    }

    @Test("gaps are reported in bin coordinates wherever the camera sits")
    func offCentreCamera() {
        var scene = TestScene.standard(boxes: [.init(xMM: 120, widthMM: 60, frontMM: 10, depthMM: 100, heightMM: 160)], seed: 9)
        scene.pose = CameraPose(xMM: 100, yMM: 180, standoffMM: 400)
        let bin = PerceptionPipeline().process(scene.render()).bins[0]
        #expect(bin.gaps.count == 2, "\(Array(bin.gaps))")
        if bin.gaps.count == 2 {
            #expect(abs(bin.gaps[0].widthMM - 120) <= 10 && abs(bin.gaps[1].xMM - 180) <= 10, "\(Array(bin.gaps))")
        }
    }
}
