import ArgumentParser
import Foundation
import HAL
import Perception

/// `stowctl bench perception`: the full pipeline on a synthetic 640x480 frame of one bin with
/// bands, items, 2 mm noise and 1 % dropouts; time per frame against a plain copy-and-sum pass
/// over the same frame, in the same process.
///
/// Heap allocations per frame are not measured here: an earlier mtrace-based count reported 0
/// even where allocations happened. They are counted by the test
/// `Tests/PerceptionTests/PipelineAllocationTests.swift`, which interposes malloc in the test
/// binary (`swift test --filter PipelineAllocationTests`); the report names it.
struct BenchPerception: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perception",
        abstract: "Time the perception pipeline on a 640x480 frame against a copy-and-sum baseline.",
        discussion: "Example: stowctl bench perception --frames 500 --json (build with -c release for meaningful figures)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Measured frames (after 20 warm-up frames).")
    var frames: Int = 500

    @Flag(help: "Time a verification frame: the bin has a baseline taken before an item was placed, so rays are carved and compared.")
    var verifying = false

    @Flag(help: "Print one JSON line instead of text.")
    var json = false

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
    }

    func run() throws {
        try global.bootstrapLogging()
        let frame = Self.benchFrame()
        let pipeline = PerceptionPipeline()
        var observation = PerceptionObservation()
        var sink: UInt64 = 0
        for _ in 0..<20 {
            pipeline.process(frame, into: &observation)
            sink &+= Self.copyAndSum(frame)
        }
        if verifying {
            // The "before" of a stow: the middle item not yet placed. Comparing the frame with
            // itself would hide nothing, and `RayCarving` would trace no ray.
            var before = PerceptionObservation()
            pipeline.process(Self.benchFrame(items: [Self.items[0], Self.items[2]]), into: &before)
            for index in before.bins.indices {
                pipeline.captureBaseline(bin: index, sequence: frame.sequence)
            }
        }
        var pipelineNS: [Double] = []
        var baselineNS: [Double] = []
        for _ in 0..<frames {
            let start = MonotonicInstant.now()
            pipeline.process(frame, into: &observation)
            let middle = MonotonicInstant.now()
            sink &+= Self.copyAndSum(frame)
            let end = MonotonicInstant.now()
            pipelineNS.append(Double(start.nanoseconds(until: middle)))
            baselineNS.append(Double(middle.nanoseconds(until: end)))
        }
        if sink == 42 { printToStderr("checksum \(sink)") }
        let medianMS = Self.percentile(pipelineNS, 50) / 1e6
        let baselineMedianMS = Self.percentile(baselineNS, 50) / 1e6
        let report: [String: Any] = [
            "frame": "640x480",
            "frames": frames,
            "verifying": verifying,
            "pipeline_median_ms": (medianMS * 1000).rounded() / 1000,
            "pipeline_p99_ms": (Self.percentile(pipelineNS, 99) / 1e3).rounded() / 1000,
            "baseline_copy_sum_median_ms": (baselineMedianMS * 1000).rounded() / 1000,
            "pipeline_to_baseline_time_ratio": (medianMS / baselineMedianMS * 10).rounded() / 10,
            "gaps_found": observation.bins.first?.gaps.count ?? 0,
            "bands_found": observation.bins.first?.bands.count ?? 0,
            "allocations_per_frame": "counted by swift test --filter PipelineAllocationTests (0 after warm-up)",
        ]
        if json {
            try printJSON(report)
        } else {
            print(report.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n"))
        }
    }

    /// The baseline: one pass that reads every pixel (what any per-frame work must at least do).
    static func copyAndSum(_ frame: DepthFrame) -> UInt64 {
        frame.depthMM.withUnsafeBufferPointer { pixels in
            var sum: UInt64 = 0
            for pixel in pixels { sum &+= UInt64(pixel) }
            return sum
        }
    }

    /// The bench frame's items: (x, width, front, height) in mm.
    static let items: [(x: Double, width: Double, front: Double, height: Double)] = [(10, 70, 20, 150), (120, 50, 200, 90), (200, 60, 5, 180)]

    /// One 280 x 220 x 380 bin filling most of a 640x480 image: three items, two bands.
    static func benchFrame(items: [(x: Double, width: Double, front: Double, height: Double)] = items) -> DepthFrame {
        let width = 640, height = 480
        let intrinsics = PinholeIntrinsics(fx: 520, fy: 520, cx: 320, cy: 240)
        let pose = CameraPose(xMM: 160, yMM: 130, standoffMM: 330)
        let opening = BinOpening(name: "r0c0", xMM: 20, yMM: 20, widthMM: 280, heightMM: 220, depthMM: 380)
        var state: UInt64 = 12345
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var pixels = [UInt16](repeating: 0, count: width * height)
        for v in 0..<height {
            for u in 0..<width {
                let slopeX = (Double(u) + 0.5 - intrinsics.cx) / intrinsics.fx
                let slopeY = -(Double(v) + 0.5 - intrinsics.cy) / intrinsics.fy
                let x0 = pose.xMM + slopeX * pose.standoffMM - opening.xMM
                let y0 = pose.yMM + slopeY * pose.standoffMM - opening.yMM
                var depth = 0.0
                if x0 >= 0, x0 < opening.widthMM, y0 >= 0, y0 < opening.heightMM, abs(y0 - 73) > 4, abs(y0 - 147) > 4 {
                    depth = opening.depthMM
                    if slopeX != 0 { depth = min(depth, slopeX < 0 ? -x0 / slopeX : (opening.widthMM - x0) / slopeX) }
                    if slopeY != 0 { depth = min(depth, slopeY < 0 ? -y0 / slopeY : (opening.heightMM - y0) / slopeY) }
                    for item in items {
                        let x = x0 + slopeX * item.front, y = y0 + slopeY * item.front
                        if x >= item.x, x < item.x + item.width, y >= 0, y < item.height { depth = min(depth, item.front) }
                    }
                }
                if unit() < 0.01 { continue }
                let noise = (unit() + unit() + unit() - 1.5) * 2 * 2
                pixels[v * width + u] = UInt16(pose.standoffMM + depth + noise)
            }
        }
        return DepthFrame(sequence: 1, timestamp: .now(), width: width, height: height, depthMM: pixels,
                          intrinsics: intrinsics, pose: pose, openings: [opening])
    }

    static func percentile(_ values: [Double], _ percent: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * percent / 100))]
    }
}
