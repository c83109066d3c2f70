import ArgumentParser
import Foundation
import HAL
import Perception
import SimHAL

/// `stowctl record-frames`: depth frames of the simulated pod written as PGM + JSON sidecar, for
/// `camera.source: replay` (a bench or HIL setup without a camera) and `stowctl perceive`.
struct RecordFramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record-frames",
        abstract: "Write depth frames of the simulated pod as PGM + JSON, for camera.source: replay.",
        discussion: """
            Renders SimHAL's camera (the pod, its items and bands as --config's sim section sets them, \
            with its noise) at camera.rate_hz in virtual time and writes --count frames to --out as \
            frame-000001.pgm + frame-000001.json, ... A `backend: linux` config with `camera.source: \
            replay` and `camera.replay_directory` set to that directory replays them at their pace.

            Examples:
              stowctl record-frames --out /tmp/frames
              stowctl perceive /tmp/frames/frame-000001.pgm
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config with a sim section.")
    var config: String = "firmware-config/sim.yaml"

    @Option(help: "Directory to write the frames to (created if missing).")
    var out: String

    @Option(help: "Frames to write.")
    var count: Int = 15

    func validate() throws {
        guard (1...10_000).contains(count) else {
            throw ValidationError("--count: \(count) is outside 1...10000")
        }
    }

    func run() throws {
        try global.bootstrapLogging()
        let robot = try loadSimRobotConfig(path: config, command: "stowctl record-frames")
        let clock = ManualClock()
        let eoat = try SimEOAT(config: robot, clock: clock)
        let recorder: DepthFrameRecorder
        do {
            recorder = try DepthFrameRecorder(recording: eoat.camera, into: out)
        } catch {
            throw ValidationError("--out: \(error.description)")
        }
        let periodNanoseconds = UInt64(1e9 / robot.camera.rateHz)
        while recorder.framesWritten < count {
            clock.advance(byNanoseconds: periodNanoseconds)
            eoat.advanceToClock()
            _ = try recorder.latestFrame()
        }
        print("\(count) frame(s) written to \(out)")
    }
}
