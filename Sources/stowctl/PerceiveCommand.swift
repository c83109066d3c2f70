import ArgumentParser
import Foundation
import HAL
import Perception

/// `stowctl perceive FRAME.pgm [--before FRAME.pgm] [--json]`: the perception pipeline offline,
/// on recorded frames (docs/perception.md).
struct PerceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perceive",
        abstract: "Run perception on a recorded depth frame: bands, gaps, fill; with --before, stow verification.",
        discussion: """
            FRAME.pgm is a 16-bit binary PGM (P5, maxval 65535) of depth in mm, 0 = no return, with a \
            JSON sidecar of the same name (FRAME.json) giving fx, fy, cx, cy, the camera pose, the \
            bin openings and a timestamp; docs/perception.md has the schema. Every bin opening in \
            the sidecar is reported.

            With --before, the earlier frame is the baseline: the answer says whether an item was \
            placed, whether anything protrudes past the bin front, and whether anything left the bin.

            Exits 1 with a message naming the file when a frame or sidecar is bad.
            Example: stowctl perceive after.pgm --before before.pgm --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The frame to analyse (FRAME.pgm, with FRAME.json next to it).")
    var frame: String

    @Option(help: "A frame of the same bin before the stow, for verification.")
    var before: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try global.bootstrapLogging()
        let pipeline = PerceptionPipeline()
        var baselineObservation: PerceptionObservation?
        do {
            if let before {
                let beforeFrame = try DepthFrameFile.read(pgmPath: before)
                let observation = pipeline.process(beforeFrame)
                for index in observation.bins.indices {
                    pipeline.captureBaseline(bin: index, sequence: beforeFrame.sequence)
                }
                baselineObservation = observation
            }
            let afterFrame = try DepthFrameFile.read(pgmPath: frame)
            let observation = pipeline.process(afterFrame)
            if let baselineObservation, baselineObservation.bins.map(\.name) != observation.bins.map(\.name) {
                printToStderr("\(before!): shows bins \(baselineObservation.bins.map(\.name)), but \(frame) shows "
                    + "\(observation.bins.map(\.name)); --before must be a frame of the same bins")
                throw ExitCode(1)
            }
            if json {
                try printJSON(Self.report(observation))
            } else {
                print(Self.text(observation, frame: frame))
            }
        } catch let error as DepthFrameFileError {
            printToStderr(error.description)
            throw ExitCode(1)
        }
    }

    /// The JSON report: one object, bins in the sidecar's order.
    static func report(_ observation: PerceptionObservation) -> [String: Any] {
        var bins: [[String: Any]] = []
        for bin in observation.bins {
            var entry: [String: Any] = [
                "bin": bin.name,
                "bands": bin.bands.map { band -> [String: Any] in
                    ["y_mm": round1(band.heightMM), "row_top": band.topRow, "row_bottom": band.bottomRow,
                     "thickness_mm": round1(band.thicknessMM), "coverage": round2(band.coverage)]
                },
                "gaps": bin.gaps.map { gap -> [String: Any] in
                    ["x_mm": round1(gap.xMM), "width_mm": round1(gap.widthMM), "depth_mm": round1(gap.depthMM),
                     "height_mm": round1(gap.heightMM), "confidence": round2(gap.confidence)]
                },
                "fill_ratio": round2(bin.fillRatio),
                "column_width_mm": round2(bin.columnWidthMM),
                "column_free_depth_mm": bin.columnFreeDepthMM.map { round1(Double($0)) },
                "protrusion_mm": round1(bin.protrusion.maxProtrusionMM),
            ]
            if let verification = bin.verification {
                entry["verification"] = [
                    "item_placed": verification.itemPlaced,
                    "protrusion": verification.protrusion,
                    "item_left_bin": verification.itemLeftBin,
                    "added_volume_mm3": verification.addedVolumeMM3.rounded(),
                    "revealed_volume_mm3": verification.revealedVolumeMM3.rounded(),
                    "compared_share": round2(verification.comparedShare),
                ]
            }
            bins.append(entry)
        }
        // The first bin's fields also sit at the top level: most recordings show one bin.
        var report: [String: Any] = bins.first ?? [:]
        report["bins"] = bins
        report["frame_sequence"] = observation.frameSequence
        report["latency_ms"] = (observation.pipelineLatencyMS * 1000).rounded() / 1000
        return report
    }

    static func text(_ observation: PerceptionObservation, frame: String) -> String {
        var lines = ["\(frame): frame \(observation.frameSequence), pipeline \(format2(observation.pipelineLatencyMS)) ms"]
        for bin in observation.bins {
            lines.append("bin \(bin.name): fill \(Int((bin.fillRatio * 100).rounded())) %, "
                + "\(bin.bands.count) band(s), \(bin.gaps.count) gap(s)")
            for band in bin.bands {
                lines.append("  band at \(format1(band.heightMM)) mm above the floor (rows \(band.topRow)-\(band.bottomRow), "
                    + "\(Int((band.coverage * 100).rounded())) % of the width)")
            }
            for gap in bin.gaps {
                lines.append("  gap x \(format1(gap.xMM)) mm, \(format1(gap.widthMM)) wide x \(format1(gap.heightMM)) high x "
                    + "\(format1(gap.depthMM)) deep (confidence \(format2(gap.confidence)))")
            }
            if bin.protrusion.protrudes {
                lines.append("  PROTRUSION: something stands \(format1(bin.protrusion.maxProtrusionMM)) mm past the bin front")
            }
            if let verification = bin.verification {
                lines.append("  verification: item placed \(yesNo(verification.itemPlaced)), protrusion \(yesNo(verification.protrusion)), "
                    + "item left the bin \(yesNo(verification.itemLeftBin))")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }
    private static func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
    private static func format1(_ value: Double) -> String { String(format: "%.1f", value) }
    private static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }
}
