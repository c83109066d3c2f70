import ArgumentParser
import Config
import Foundation
import HAL
import SimHAL

/// `stowctl bench sim-tick`: what one simulated millisecond of the whole EOAT costs.
struct BenchSimTick: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim-tick",
        abstract: "Time one simulated tick of the whole EOAT: 4 drives, all lines, the world step.",
        discussion: """
            Builds the simulator from --config, enables the drives, keeps the plank and jaw moving \
            and the belts running, and times ticks in batches of 1000. A tick is one 1 ms world \
            step plus a read of every input line and a write of every output line, as the control \
            loop does. The baseline, timed in the same process, is the four drive models stepped \
            alone. Target: median at most 2 µs per tick. Build with -c release for figures.

            Example: swift build -c release && .build/release/stowctl bench sim-tick --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config with a sim section.")
    var config: String = "firmware-config/sim.yaml"

    @Option(help: "Batches of 1000 ticks to time.")
    var batches: Int = 200

    @Flag(help: "Print figures as JSON.")
    var json = false

    func validate() throws {
        guard batches >= 10 else { throw ValidationError("--batches must be at least 10") }
    }

    func run() throws {
        let robot = try RobotConfig.load(path: config)
        let eoat = try SimEOAT(config: robot, clock: ManualClock())
        Self.prepareMotion(eoat)
        let inputs: [DigitalInput] = eoat.inputs
        let outputs: [DigitalOutput] = eoat.outputs
        let tick = {
            eoat.world.step(byNanoseconds: SimEOAT.stepNanoseconds)
            for input in inputs { _ = try? input.read() }
            for output in outputs { try? output.write(output.name == "eoat.drive-enable" || output.name == "eoat.ready") }
        }
        let drives = eoat.world.drives.all
        let baseline = {
            for drive in drives { drive.step(byNanoseconds: SimEOAT.stepNanoseconds) }
        }
        let tickNanoseconds = timeBatches(tick)
        let baselineNanoseconds = timeBatches(baseline)
        let median = percentile(tickNanoseconds, 0.5), p99 = percentile(tickNanoseconds, 0.99)
        let baselineMedian = percentile(baselineNanoseconds, 0.5)
        if json {
            try printJSON([
                "ticks": Double(batches * 1000), "median_ns": median, "p99_ns": p99,
                "baseline_drives_only_median_ns": baselineMedian, "ratio_to_drives_only": median / baselineMedian,
                "ratio_to_budget_2us": median / 2000,
            ])
        } else {
            print("sim tick (whole EOAT, 1 ms step): median \(format(median)) ns, p99 \(format(p99)) ns over \(batches) x 1000 ticks")
            print("baseline (4 drive models alone):   median \(format(baselineMedian)) ns; tick/baseline \(format2(median / baselineMedian))x")
            print("budget 2000 ns: \(median <= 2000 ? "met" : "NOT met") (\(format2(median / 2000))x of budget)")
        }
    }

    /// Per-tick nanoseconds of each batch of 1000 calls.
    private func timeBatches(_ body: () -> Void) -> [Double] {
        for _ in 0..<10_000 { body() }
        var perTick: [Double] = []
        perTick.reserveCapacity(batches)
        for _ in 0..<batches {
            let start = MonotonicInstant.now()
            for _ in 0..<1000 { body() }
            perTick.append(Double(start.nanoseconds(until: MonotonicInstant.now())) / 1000)
        }
        return perTick
    }

    private func percentile(_ values: [Double], _ share: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))]
    }

    /// Drives enabled; the plank and belts in motion, so the tick does real work.
    static func prepareMotion(_ eoat: SimEOAT) {
        eoat.world.outputs.driveEnable = true
        eoat.world.outputs.ready = true
        for drive in eoat.world.drives.all {
            for word: Int64 in [0x06, 0x07, 0x0F] { try? drive.write(.controlword, value: word) }
        }
        let plank = eoat.world.drives.plank
        try? plank.write(.modesOfOperation, value: Int64(DriveMode.profileVelocity.rawValue))
        try? plank.write(.targetVelocity, value: Int64(50 * plank.parameters.countsPerMM))
        for belt in [eoat.world.drives.leftBelt, eoat.world.drives.rightBelt] {
            try? belt.write(.modesOfOperation, value: Int64(DriveMode.profileVelocity.rawValue))
            try? belt.write(.targetVelocity, value: Int64(300 * belt.parameters.countsPerMM))
        }
        try? eoat.arm.requestMove(to: ArmPose(station: .bin("r0c0"), xMM: 140))
    }
}
