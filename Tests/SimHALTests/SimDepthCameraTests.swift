import Config
import Foundation
import HAL
import Testing
@testable import SimHAL

/// The depth camera renders real geometry through the pinhole model; noise and dropouts are as configured.
@Suite("SimHAL depth camera")
struct SimDepthCameraTests {
    static let config = CameraConfig(source: .sim, replayDirectory: nil, widthPX: 640, heightPX: 480,
                                     fxPX: 520, fyPX: 520, cxPX: 320, cyPX: 240, rateHz: 15)

    /// The pixel that sees face point (x, y) at depth `insideMM` past the face plane.
    static func pixel(_ camera: SimDepthCamera, faceX: Double, faceY: Double, insideMM: Double) -> (u: Int, v: Int) {
        let z = camera.pose.standoffMM + insideMM
        let u = camera.intrinsics.cx + camera.intrinsics.fx * (faceX - camera.pose.xMM) / z
        let v = camera.intrinsics.cy - camera.intrinsics.fy * (faceY - camera.pose.yMM) / z
        return (Int(u.rounded(.down)), Int(v.rounded(.down)))
    }

    @Test("a box front, a closed band and the bin back show at their true depths")
    func geometry() {
        let rig = WorldRig(bands: 2)
        let box = PlacedItem(item: WorldRig.item("box", width: 80, height: 50, depth: 100), xMM: 20, frontMM: 150)
        rig.world.pod.bins[0].contents = [box]
        let camera = SimDepthCamera(world: rig.world, camera: Self.config, noiseMM: 0, dropoutShare: 0, seed: 1, clock: ManualClock())
        let frame = camera.render()
        let opening = rig.world.pod.bins[0].opening
        let standoff = camera.pose.standoffMM

        let boxPixel = Self.pixel(camera, faceX: opening.xMM + 60, faceY: opening.yMM + 25, insideMM: 150)
        #expect(abs(Double(frame[boxPixel.u, boxPixel.v]) - (standoff + 150)) <= 1)

        let band = rig.world.pod.bins[0].bandHeightsMM[0]
        let bandPixel = Self.pixel(camera, faceX: opening.xMM + 200, faceY: opening.yMM + band, insideMM: 0)
        #expect(abs(Double(frame[bandPixel.u, bandPixel.v]) - standoff) <= 1)

        let backPixel = Self.pixel(camera, faceX: opening.xMM + 200, faceY: opening.yMM + 110 + 30, insideMM: opening.depthMM)
        #expect(abs(Double(frame[backPixel.u, backPixel.v]) - (standoff + opening.depthMM)) <= 2)

        rig.world.pod.bins[0].bandsOpen = true
        let open = camera.render()
        #expect(Double(open[bandPixel.u, bandPixel.v]) > standoff + 100, "open bands are pulled out of view")
    }

    @Test("the whole pod face is in view")
    func framing() {
        let rig = WorldRig()
        let camera = SimDepthCamera(world: rig.world, camera: Self.config, noiseMM: 0, dropoutShare: 0, seed: 1, clock: ManualClock())
        let corner = Self.pixel(camera, faceX: rig.world.pod.faceWidthMM, faceY: 0, insideMM: 0)
        #expect((0..<640).contains(corner.u) && (0..<480).contains(corner.v))
    }

    @Test("noise has the configured standard deviation and dropouts the configured share")
    func noiseAndDropouts() {
        let rig = WorldRig()
        let clean = SimDepthCamera(world: rig.world, camera: Self.config, noiseMM: 0, dropoutShare: 0, seed: 1, clock: ManualClock()).render()
        let noisy = SimDepthCamera(world: rig.world, camera: Self.config, noiseMM: 2, dropoutShare: 0.05, seed: 1, clock: ManualClock()).render()
        var dropouts = 0, count = 0
        var sumSquares = 0.0
        for index in clean.depthMM.indices {
            if noisy.depthMM[index] == 0 {
                dropouts += 1
                continue
            }
            let error = Double(noisy.depthMM[index]) - Double(clean.depthMM[index])
            sumSquares += error * error
            count += 1
        }
        let deviation = (sumSquares / Double(count)).squareRoot()
        #expect(abs(deviation - 2) < 0.2, "measured \(deviation) mm")
        #expect(abs(Double(dropouts) / Double(clean.depthMM.count) - 0.05) < 0.005)
    }

    @Test("noise is Gaussian: about 68 % of pixels within one sigma, 95 % within two, almost none beyond three; independent from frame to frame")
    func noiseIsGaussian() {
        let rig = WorldRig()
        let clean = SimDepthCamera(world: rig.world, camera: Self.config, noiseMM: 0, dropoutShare: 0, seed: 1, clock: ManualClock()).render()
        let camera = SimDepthCamera(world: rig.world, camera: Self.config, noiseMM: 10, dropoutShare: 0, seed: 1, clock: ManualClock())
        let first = camera.render(), second = camera.render()
        var withinOne = 0, withinTwo = 0, beyondThree = 0
        var productSum = 0.0, firstSquares = 0.0, secondSquares = 0.0
        for index in clean.depthMM.indices {
            let error = Double(first.depthMM[index]) - Double(clean.depthMM[index])
            let next = Double(second.depthMM[index]) - Double(clean.depthMM[index])
            if abs(error) <= 10 { withinOne += 1 }
            if abs(error) <= 20 { withinTwo += 1 }
            if abs(error) > 30 { beyondThree += 1 }
            productSum += error * next
            firstSquares += error * error
            secondSquares += next * next
        }
        // Depths are whole mm: an error of at most k mm is noise below k + 0.5 mm.
        func normalShare(withinMM: Double) -> Double { erf((withinMM + 0.5) / 10 / 2.0.squareRoot()) }
        let count = Double(clean.depthMM.count)
        #expect(abs(Double(withinOne) / count - normalShare(withinMM: 10)) < 0.02, "within one sigma: \(Double(withinOne) / count)")
        #expect(abs(Double(withinTwo) / count - normalShare(withinMM: 20)) < 0.01, "within two sigma: \(Double(withinTwo) / count)")
        #expect(Double(beyondThree) / count < 0.006, "beyond three sigma: \(Double(beyondThree) / count)")
        let correlation = productSum / (firstSquares * secondSquares).squareRoot()
        #expect(abs(correlation) < 0.02, "frame-to-frame correlation \(correlation)")
        #expect(first.depthMM != second.depthMM)
    }

    @Test("ground truth gaps are the free stretches of the floor")
    func groundTruthGaps() {
        let rig = WorldRig()
        rig.world.pod.bins[0].contents = [
            PlacedItem(item: WorldRig.item("a", width: 60, depth: 100), xMM: 0, frontMM: 280),
            PlacedItem(item: WorldRig.item("b", width: 80, depth: 300), xMM: 150, frontMM: 80),
        ]
        let gaps = rig.world.groundTruth(bin: 0).freeGaps(minDepthMM: 200)
        #expect(gaps.count == 2)
        #expect(gaps[0].xMM == 0 && gaps[0].widthMM == 150 && gaps[0].depthMM == 280)
        #expect(gaps[1].xMM == 230 && gaps[1].widthMM == 50 && gaps[1].depthMM == 380)
    }
}

/// Frames of one bin (`onlyBin`, the simulated campaign's approach and verification frames).
@Suite("SimHAL depth camera, one bin")
struct SimDepthCameraOneBinTests {
    @Test("a frame of one bin shows that bin as a full frame does, nothing outside it, and the frames after it are unchanged")
    func oneBinFrameMatchesFullFrame() {
        let rig = WorldRig(bands: 2)
        let config = SimDepthCameraTests.config
        let full = SimDepthCamera(world: rig.world, camera: config, noiseMM: 2, dropoutShare: 0.01, seed: 3, clock: ManualClock())
        let oneBin = SimDepthCamera(world: rig.world, camera: config, noiseMM: 2, dropoutShare: 0.01, seed: 3, clock: ManualClock())
        let bin = rig.world.pod.bins.count - 1  // the top right one: rays at an angle from the centre
        let opening = rig.world.pod.bins[bin].opening
        let corner = SimDepthCameraTests.pixel(full, faceX: opening.xMM, faceY: opening.yMM + opening.heightMM, insideMM: 0)
        let farCorner = SimDepthCameraTests.pixel(full, faceX: opening.xMM + opening.widthMM, faceY: opening.yMM, insideMM: 0)

        let fullFrame = full.render()
        oneBin.onlyBin = bin
        let oneBinFrame = oneBin.render()
        var shown = 0
        for v in 0..<config.heightPX {
            for u in 0..<config.widthPX {
                let insideOpening = u >= corner.u && u <= farCorner.u && v >= corner.v && v <= farCorner.v
                if insideOpening {
                    #expect(oneBinFrame[u, v] == fullFrame[u, v], "pixel (\(u), \(v)) of bin \(bin)")
                } else if oneBinFrame[u, v] != 0 {
                    #expect(oneBinFrame[u, v] == fullFrame[u, v], "pixel (\(u), \(v)) in the margin")
                    shown += 1
                }
            }
        }
        let marginPixels = 2 * SimDepthCamera.windowMarginPixels * (farCorner.u - corner.u + farCorner.v - corner.v + 8)
        #expect(shown <= marginPixels, "\(shown) pixels shown outside the bin")

        oneBin.onlyBin = nil
        #expect(oneBin.render().depthMM == full.render().depthMM)
    }

    @Test("a frame of the openings shows every bin and its margin as a full frame does, the pod frame between them reads 0, and the frames after it are unchanged")
    func openingsOnlyFrameMatchesFullFrame() {
        let rig = WorldRig(bands: 2)
        let config = SimDepthCameraTests.config
        let full = SimDepthCamera(world: rig.world, camera: config, noiseMM: 2, dropoutShare: 0.01, seed: 5, clock: ManualClock())
        let openings = SimDepthCamera(world: rig.world, camera: config, noiseMM: 2, dropoutShare: 0.01, seed: 5, clock: ManualClock())
        openings.openingsOnly = true
        let fullFrame = full.render()
        let openingsFrame = openings.render()
        var shown = 0, blank = 0
        for index in fullFrame.depthMM.indices {
            if openingsFrame.depthMM[index] != 0 {
                #expect(openingsFrame.depthMM[index] == fullFrame.depthMM[index], "pixel \(index)")
                shown += 1
            } else if fullFrame.depthMM[index] != 0 {
                blank += 1
            }
        }
        // Every opening is shown whole (checked pixel by pixel against a one-bin frame, which the
        // test above checks against the full frame), and the frame between them is not.
        for bin in rig.world.pod.bins.indices {
            let oneBin = SimDepthCamera(world: rig.world, camera: config, noiseMM: 2, dropoutShare: 0.01, seed: 5, clock: ManualClock())
            oneBin.onlyBin = bin
            let oneBinFrame = oneBin.render()
            for index in oneBinFrame.depthMM.indices where oneBinFrame.depthMM[index] != 0 {
                #expect(openingsFrame.depthMM[index] == oneBinFrame.depthMM[index], "pixel \(index) of bin \(bin)")
            }
        }
        #expect(shown > fullFrame.depthMM.count / 2)
        #expect(blank > fullFrame.depthMM.count / 10, "the pod frame between the bins is not rendered")

        openings.openingsOnly = false
        #expect(openings.render().depthMM == full.render().depthMM)
    }
}

