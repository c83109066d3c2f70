import HAL
import SimHAL
import Testing
@testable import Perception

/// A frame analysed for one bin (`onlyOpening`, the approach and verification frames of a
/// simulated campaign) must say about that bin exactly what a pass over every bin says.
@Suite("One-bin pass")
struct OneBinPassTests {
    @Test("a one-bin pass observes its bin exactly as the full pass does, verification against a baseline included")
    func oneBinMatchesFullPass() {
        let rig = SimGroundTruthRig(seed: 4)
        let before = rig.camera.render()
        let after = rig.camera.render()
        for openingIndex in [0, 6, 15] {
            let full = PerceptionPipeline(settings: rig.pipeline.settings, clock: ManualClock())
            let oneBin = PerceptionPipeline(settings: rig.pipeline.settings, clock: ManualClock())
            var fullObservation = PerceptionObservation()
            var oneBinObservation = PerceptionObservation()
            full.process(before, into: &fullObservation)
            oneBin.process(before, into: &oneBinObservation, onlyOpening: openingIndex)
            full.captureBaseline(bin: openingIndex, sequence: before.sequence)
            oneBin.captureBaseline(bin: openingIndex, sequence: before.sequence)
            full.process(after, into: &fullObservation)
            oneBin.process(after, into: &oneBinObservation, onlyOpening: openingIndex)

            #expect(fullObservation.bins.count == 16)
            #expect(oneBinObservation.bins.count == 1)
            let expected = fullObservation.bins[openingIndex]
            let observed = oneBinObservation.bins[0]
            #expect(observed.openingIndex == openingIndex)
            #expect(observed.verification != nil)
            #expect(String(describing: observed) == String(describing: expected))
        }
    }

    @Test("a frame of the openings only (SimDepthCamera.openingsOnly, a simulated campaign's) observes every bin as the full frame does")
    func openingsOnlyFrameMatchesFullFrame() {
        for seed: UInt64 in [2, 9] {
            let rig = SimGroundTruthRig(seed: seed)
            let twin = SimDepthCamera(world: rig.world, camera: SimGroundTruthRig.camera640, noiseMM: 2, dropoutShare: 0.01,
                                      seed: seed, clock: ManualClock())
            twin.openingsOnly = true
            for _ in 0..<2 {
                let full = PerceptionPipeline(settings: rig.pipeline.settings, clock: ManualClock()).process(rig.camera.render())
                let openings = PerceptionPipeline(settings: rig.pipeline.settings, clock: ManualClock()).process(twin.render())
                #expect(openings.bins.count == 16)
                #expect(String(describing: openings.bins) == String(describing: full.bins), "seed \(seed)")
            }
        }
    }
}
