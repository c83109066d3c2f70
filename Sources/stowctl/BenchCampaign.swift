import ArgumentParser
import Config
import Control
import Foundation
import HAL
import SimHAL
import Simulation

/// `stowctl bench campaign`: how fast a whole simulated campaign runs (issue 7's benchmark:
/// 10,000 stows with the full 1 kHz control tick in virtual time, on one core).
struct BenchCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Time a simulated stow campaign (full 1 kHz control tick, virtual time, one thread).",
        discussion: """
            Runs --stows attempts of the campaign `stowctl sim` runs (same robot, same runner, no \
            journal) --runs times, each from the same seed, and reports per run and as medians: \
            stows per second and the virtual-to-wall time ratio, by wall time and by the thread's \
            CPU time (other load on the machine inflates the first, not the second), and what \
            10,000 stows would take at that pace.

            The baseline, timed in the same process before the runs, is one simulated millisecond \
            of the EOAT alone (world step plus every line read and written, as `bench sim-tick`). \
            The campaign's CPU time per simulated millisecond divided by it says how many bare sim \
            ticks one millisecond of the whole robot (control tick, world, bus, camera, perception) \
            costs; it moves with the code, not with the machine. Build with -c release for figures.

            Example: swift build -c release && .build/release/stowctl bench campaign --stows 10000
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config; must use backend: sim.")
    var config: String = "firmware-config/sim.yaml"

    @Option(help: "Stow attempts per run.")
    var stows: Int = 300

    @Option(help: "Runs (the medians are over these).")
    var runs: Int = 1

    @Option(help: "Seed for the world (overrides sim.seed).")
    var seed: UInt64?

    @Option(help: "World profile: default or paper-2025 (overrides sim.world).")
    var world: String?

    @Flag(help: "Print figures as JSON.")
    var json = false

    func validate() throws {
        guard stows >= 1 else { throw ValidationError("--stows must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if let world, SimWorldProfile(rawValue: world) == nil {
            throw ValidationError("--world must be one of \(SimWorldProfile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// One campaign run's figures.
    struct RunFigures {
        var stows: Int
        var simulatedSeconds: Double
        var wallSeconds: Double
        var cpuSeconds: Double
        var stowsPerWallSecond: Double { Double(stows) / wallSeconds }
        var stowsPerCPUSecond: Double { Double(stows) / cpuSeconds }
        var virtualToWall: Double { simulatedSeconds / wallSeconds }
        var virtualToCPU: Double { simulatedSeconds / cpuSeconds }
        /// Thread CPU nanoseconds per simulated millisecond.
        var cpuNanosecondsPerSimulatedMS: Double { cpuSeconds * 1e9 / (simulatedSeconds * 1000) }
    }

    func run() throws {
        try global.bootstrapLogging()
        var robotConfig = try loadSimRobotConfig(path: config, command: "stowctl bench campaign")
        if let seed { robotConfig.sim?.seed = seed }
        if let world { robotConfig.sim?.world = SimWorldProfile(rawValue: world)! }

        let baselineNanoseconds = try Self.simTickMedianNanoseconds(config: robotConfig)
        var figures: [RunFigures] = []
        for index in 0..<runs {
            let robot = try SimulatedRobot(config: robotConfig, campaignID: "bench-\(index)")
            let runner = CampaignRunner(robot: robot, configFile: config, options: .init(stows: stows))
            let cpuStart = ThreadCPUClock.nanoseconds()
            let result = try runner.run()
            let cpuSeconds = Double(ThreadCPUClock.nanoseconds() - cpuStart) / 1e9
            let run = RunFigures(stows: result.attempts, simulatedSeconds: result.simulatedSeconds, wallSeconds: result.wallSeconds,
                                 cpuSeconds: cpuSeconds)
            figures.append(run)
            if !json {
                print("run \(index + 1): \(run.stows) stows, \(format2(run.simulatedSeconds)) s simulated in \(format2(run.wallSeconds)) s wall "
                    + "(\(format2(run.cpuSeconds)) s CPU): \(format2(run.stowsPerWallSecond)) stows/s, "
                    + "\(format2(run.virtualToWall))x virtual to wall")
            }
        }
        let wallStowsPerS = median(figures.map(\.stowsPerWallSecond))
        let cpuStowsPerS = median(figures.map(\.stowsPerCPUSecond))
        let perSimulatedMS = median(figures.map(\.cpuNanosecondsPerSimulatedMS))
        let sim = robotConfig.sim!
        if json {
            try printJSON([
                "config": config, "world": sim.world.rawValue, "seed": Double(sim.seed), "runs": Double(runs),
                "stows_per_run": Double(stows),
                "simulated_seconds_median": median(figures.map(\.simulatedSeconds)),
                "wall_seconds_median": median(figures.map(\.wallSeconds)),
                "cpu_seconds_median": median(figures.map(\.cpuSeconds)),
                "stows_per_s_wall_median": wallStowsPerS, "stows_per_s_cpu_median": cpuStowsPerS,
                "virtual_to_wall_ratio_median": median(figures.map(\.virtualToWall)),
                "virtual_to_cpu_ratio_median": median(figures.map(\.virtualToCPU)),
                "seconds_for_10000_stows_wall": 10_000 / wallStowsPerS, "seconds_for_10000_stows_cpu": 10_000 / cpuStowsPerS,
                "cpu_ns_per_simulated_ms_median": perSimulatedMS,
                "baseline_sim_tick_median_ns": baselineNanoseconds,
                "ratio_to_baseline_sim_tick": perSimulatedMS / baselineNanoseconds,
            ])
        } else {
            print("""
                campaign (\(sim.world.rawValue), seed \(sim.seed), \(stows) stows x \(runs) runs), medians:
                  \(format2(wallStowsPerS)) stows/s wall, \(format2(median(figures.map(\.virtualToWall))))x virtual to wall; \
                10,000 stows in \(format2(10_000 / wallStowsPerS)) s
                  \(format2(cpuStowsPerS)) stows/s CPU,  \(format2(median(figures.map(\.virtualToCPU))))x virtual to CPU;  \
                10,000 stows in \(format2(10_000 / cpuStowsPerS)) s of CPU
                  one simulated ms: \(format2(perSimulatedMS)) ns CPU = \(format2(perSimulatedMS / baselineNanoseconds))x \
                the bare sim tick (baseline, same process: median \(format2(baselineNanoseconds)) ns)
                target: 10,000 stows in at most 60 s: \(10_000 / wallStowsPerS <= 60 ? "met" : "NOT met")
                """)
        }
    }

    /// Median of 50 batches of 1000 bare sim ticks (world step, every line read and written).
    static func simTickMedianNanoseconds(config: RobotConfig) throws -> Double {
        let eoat = try SimEOAT(config: config, clock: ManualClock())
        BenchSimTick.prepareMotion(eoat)
        let inputs: [DigitalInput] = eoat.inputs
        let outputs: [DigitalOutput] = eoat.outputs
        func tick() {
            eoat.world.step(byNanoseconds: SimEOAT.stepNanoseconds)
            for input in inputs { _ = try? input.read() }
            for output in outputs { try? output.write(output.name == "eoat.drive-enable" || output.name == "eoat.ready") }
        }
        for _ in 0..<5000 { tick() }
        var perTick: [Double] = []
        for _ in 0..<50 {
            let start = MonotonicInstant.now()
            for _ in 0..<1000 { tick() }
            perTick.append(Double(start.nanoseconds(until: MonotonicInstant.now())) / 1000)
        }
        return median(perTick)
    }
}

/// The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID): what a campaign costs, whatever
/// else the machine runs.
enum ThreadCPUClock {
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
