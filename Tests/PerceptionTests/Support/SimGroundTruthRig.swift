import Config
import HAL
import Perception
import SimHAL

/// A seeded SimHAL pod (sim.yaml's: 4 x 4 bins of 280 x 220 x 380 mm, two bands each, 40 %
/// initial fill) seen by SimHAL's depth camera with 2 mm noise and 1 % dropouts, run through the
/// perception pipeline; ground truth from `SimWorld.groundTruth(bin:)`.
struct SimGroundTruthRig {
    let world: SimWorld
    let camera: SimDepthCamera
    let pipeline: PerceptionPipeline

    /// sim.yaml's camera: 640x480, fx = fy = 520 px, principal point at the centre. SimHAL places
    /// it on the face's centre line far enough back to see all 16 bins (about 1.1 m): a bin
    /// opening is about 130 px wide, 2.1 mm per pixel on the face.
    static let camera640 = CameraConfig(
        source: .sim, replayDirectory: nil, widthPX: 640, heightPX: 480, fxPX: 520, fyPX: 520, cxPX: 320, cyPX: 240, rateHz: 15)

    static func simConfig(seed: UInt64) -> SimConfig {
        SimConfig(
            seed: seed, world: .default,
            pod: PodConfig(rows: 4, columns: 4, binWidthMM: 280, binHeightMM: 220, binDepthMM: 380, bandsPerBin: 2,
                           bandStiffnessNPerMM: 0.05, initialFillShare: 0.4),
            armMoveMS: 900, cameraNoiseMM: 2, cameraDropoutShare: 0.01)
    }

    /// SimHAL's truth gaps do not split where the free depth changes; the pipeline's
    /// `gapDepthStepMM` is set to infinity so its gaps are comparable.
    static var comparableSettings: PerceptionSettings {
        var settings = PerceptionSettings()
        settings.gapDepthStepMM = .infinity
        return settings
    }

    init(seed: UInt64, camera config: CameraConfig = Self.camera640, settings: PerceptionSettings = Self.comparableSettings) {
        world = SimWorld(sim: Self.simConfig(seed: seed))
        camera = SimDepthCamera(world: world, camera: config, noiseMM: 2, dropoutShare: 0.01, seed: seed, clock: ManualClock())
        pipeline = PerceptionPipeline(settings: settings, clock: ManualClock())
    }

    /// Renders the pod as it is now and runs the pipeline on it.
    func observe() -> PerceptionObservation {
        pipeline.process(camera.render())
    }
}
