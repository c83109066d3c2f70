import Foundation
import HAL

/// A tiny ray-casting renderer for perception specs: one bin (or a few) on a pod face, boxes
/// resting on the floor, elastic bands across the opening, then Gaussian noise and dropouts.
/// Independent of SimHAL on purpose: it renders box sides too, and bands of any thickness.
struct TestScene {
    struct Box {
        /// Bin coordinates: x from the left wall, depth from the front (negative: protrudes).
        var xMM: Double
        var widthMM: Double
        var frontMM: Double
        var depthMM: Double
        var heightMM: Double
        var rightMM: Double { xMM + widthMM }
    }

    var opening = BinOpening(name: "r0c0", xMM: 20, yMM: 20, widthMM: 280, heightMM: 220, depthMM: 380)
    var boxes: [Box] = []
    /// Band centre heights above the bin floor.
    var bandHeightsMM: [Double] = []
    var bandThicknessMM: Double = 8
    /// How far behind the face plane the bands sit (they sag a little into the bin).
    var bandDepthMM: Double = 2
    var width = 640
    var height = 480
    var intrinsics = PinholeIntrinsics(fx: 520, fy: 520, cx: 320, cy: 240)
    /// Camera centred on the opening unless moved.
    var pose = CameraPose(xMM: 160, yMM: 130, standoffMM: 350)
    var noiseMM: Double = 0
    var dropoutShare: Double = 0
    var seed: UInt64 = 1

    /// The standard scene: a 280 x 220 x 380 bin (sim.yaml's), two bands, camera centred.
    static func standard(boxes: [Box] = [], bands: Bool = true, noiseMM: Double = 2, dropoutShare: Double = 0.01, seed: UInt64 = 1) -> TestScene {
        var scene = TestScene()
        scene.boxes = boxes
        scene.bandHeightsMM = bands ? [73, 147] : []
        scene.noiseMM = noiseMM
        scene.dropoutShare = dropoutShare
        scene.seed = seed
        return scene
    }

    func render(sequence: UInt64 = 1, timestamp: MonotonicInstant = MonotonicInstant(nanoseconds: 1_000_000)) -> DepthFrame {
        var random = TestRandom(seed: seed)
        var pixels = [UInt16](repeating: 0, count: width * height)
        for v in 0..<height {
            let slopeY = -(Double(v) + 0.5 - intrinsics.cy) / intrinsics.fy
            for u in 0..<width {
                let slopeX = (Double(u) + 0.5 - intrinsics.cx) / intrinsics.fx
                var depth = pose.standoffMM + depthPastFace(slopeX: slopeX, slopeY: slopeY)
                let dropped = random.unit() < dropoutShare
                let noise = random.normal() * noiseMM
                if dropped { continue }
                depth += noise
                pixels[v * width + u] = UInt16(clamping: Int(depth.rounded()))
            }
        }
        return DepthFrame(sequence: sequence, timestamp: timestamp, width: width, height: height, depthMM: pixels,
                          intrinsics: intrinsics, pose: pose, openings: [opening])
    }

    /// Depth past the face plane of the first surface along a ray (negative: in front of it).
    private func depthPastFace(slopeX: Double, slopeY: Double) -> Double {
        // Ray in bin coordinates, parametrised by depth d past the face: (x0 + sx d, y0 + sy d).
        let x0 = pose.xMM + slopeX * pose.standoffMM - opening.xMM
        let y0 = pose.yMM + slopeY * pose.standoffMM - opening.yMM
        var nearest = Double.infinity
        // Protruding boxes can be hit in front of the face, even outside the opening.
        for box in boxes {
            if let d = hit(box, x0: x0, y0: y0, slopeX: slopeX, slopeY: slopeY) { nearest = min(nearest, d) }
        }
        let insideOpening = x0 >= 0 && x0 < opening.widthMM && y0 >= 0 && y0 < opening.heightMM
        guard insideOpening else { return min(nearest, 0) }
        for bandMM in bandHeightsMM {
            let yAtBand = y0 + slopeY * bandDepthMM
            if abs(yAtBand - bandMM) <= bandThicknessMM / 2 { nearest = min(nearest, bandDepthMM) }
        }
        // Bin walls, floor, ceiling, back.
        var wall = opening.depthMM
        if slopeX < 0 { wall = min(wall, -x0 / slopeX) }
        if slopeX > 0 { wall = min(wall, (opening.widthMM - x0) / slopeX) }
        if slopeY < 0 { wall = min(wall, -y0 / slopeY) }
        if slopeY > 0 { wall = min(wall, (opening.heightMM - y0) / slopeY) }
        return min(nearest, wall)
    }

    /// Slab intersection of the ray with a box: depth of entry, if the ray enters it.
    private func hit(_ box: Box, x0: Double, y0: Double, slopeX: Double, slopeY: Double) -> Double? {
        var low = box.frontMM, high = box.frontMM + box.depthMM
        func slab(_ origin: Double, _ slope: Double, _ minimum: Double, _ maximum: Double) -> Bool {
            if slope == 0 { return origin >= minimum && origin < maximum }
            var a = (minimum - origin) / slope, b = (maximum - origin) / slope
            if a > b { swap(&a, &b) }
            low = max(low, a)
            high = min(high, b)
            return low <= high
        }
        guard slab(x0, slopeX, box.xMM, box.rightMM), slab(y0, slopeY, 0, box.heightMM) else { return nil }
        return low <= high ? low : nil
    }
}

/// SplitMix64 with Box-Muller: deterministic noise for specs.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// Standard normal.
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
