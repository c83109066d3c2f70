import Config
import Console
import Control
import Foundation
import HAL
import Synchronization

/// `stowctl sim --realtime --duration D`: the simulated robot paced in wall-clock time (the
/// console's simulation: stow cycle, perception, bus, the maintenance override and request
/// queue) while console commands arrive every `consoleIntervalMilliseconds`, as a person or a
/// dashboard would send them. Samples resident memory every second and ends with a report.
///
/// It passes when no safety fault latched (no dead-man, loop overrun, drive watchdog or stale
/// feedback: every safety deadline met, in the controller's time), the control loop missed no
/// cycle and never overran, no console command failed, and resident memory grew by at most
/// `maxGrowthBytes` from the first sample after warm-up to the last; and, once at least
/// `stowExpectedAfterSimulatedSeconds` ran, a stow finished.
///
/// What depends on the machine's load is reported, not judged: how far the paced run fell behind
/// the wall clock (a debug build renders a camera frame in far more than its 66 ms period), and
/// console requests the simulation thread answered later than the console waits (5 s).
struct SimSoak {
    var config: RobotConfig
    var durationSeconds: Double
    var consoleIntervalMilliseconds = 100
    /// Memory taken while warming up (buffers sized, histograms allocated, the first frames
    /// rendered) is not growth: the first sample is taken once the first stow finished, or after a
    /// quarter of the run if none has by then.
    var maxGrowthBytes: UInt64 = 4 << 20
    static let stowExpectedAfterSimulatedSeconds = 30.0

    /// Read-only commands and queue round trips, in turn (`sim fault clear` clears nothing but
    /// goes through the request queue to the simulation thread and back).
    static let traffic = [
        "status", "show loops", "show pins", "show drives", "show bus", "show faults", "get eoat.estop",
        "journal last 5", "status --json", "show loops --json", "sim fault clear", "show config",
    ]

    struct Report: Codable {
        var wallSeconds: Double
        var simulatedSeconds: Double
        var stowsFinished: Int
        var consoleCommands: Int
        var consoleFailures: [String]
        var consoleLate: Int
        var safetyFaults: [String]
        var maxPacingLagMilliseconds: Double
        var memory: ResidentMemorySamples
        var maxGrowthBytes: UInt64
        var loops: [LoopStatisticsSnapshot]
        var problems: [String]
        var passed: Bool { problems.isEmpty }
    }

    func run(shouldStop: () -> Bool) throws -> Report {
        let target = try SimConsoleTarget(config: config)
        let runner = ConsoleCommandRunner(target: target)
        let stopping = Atomic<Bool>(false)
        let simulation = Thread { target.run(until: { stopping.load(ordering: .relaxed) }) }
        simulation.name = "soak-sim"
        simulation.start()

        let wallStart = MonotonicInstant.now()
        var memory = ResidentMemorySamples()
        let warmUpLimit = wallStart.adding(nanoseconds: UInt64(durationSeconds * 0.25e9))
        var nextSample: MonotonicInstant?
        var commands = 0
        var failures: [String] = []
        var late = 0
        var faultsSeen: [String] = []
        let end = wallStart.adding(nanoseconds: UInt64(durationSeconds * 1e9))
        while MonotonicInstant.now() < end, !shouldStop() {
            let line = Self.traffic[commands % Self.traffic.count]
            commands += 1
            do {
                if let invocation = try ConsoleCommand.parse(line), case let .failure(error) = runner.run(invocation.command) {
                    if error.message.contains("did not answer within") { late += 1 } else { failures.append("\(line): \(error)") }
                }
            } catch {
                failures.append("\(line): \(error)")
            }
            for fault in target.view().control.faults.map(\.description) where !faultsSeen.contains(fault) {
                faultsSeen.append(fault)
            }
            let now = MonotonicInstant.now()
            if nextSample == nil, target.robot.machine.finishedAttempt.read() != nil || now >= warmUpLimit {
                nextSample = now
            }
            if let due = nextSample, now >= due, let bytes = ResidentMemory.bytes() {
                memory.add(bytes)
                nextSample = now.adding(nanoseconds: 1_000_000_000)
            }
            Thread.sleep(forTimeInterval: Double(consoleIntervalMilliseconds) / 1000)
        }
        if let bytes = ResidentMemory.bytes() { memory.add(bytes) }
        stopping.store(true, ordering: .relaxed)
        while !simulation.isFinished { usleep(1000) }

        let loops = target.loops.map { $0.statisticsSnapshot() }
        var report = Report(
            wallSeconds: Double(wallStart.nanoseconds(until: MonotonicInstant.now())) / 1e9,
            simulatedSeconds: target.robot.simulatedSeconds, stowsFinished: target.attemptsAcknowledged,
            consoleCommands: commands, consoleFailures: failures, consoleLate: late, safetyFaults: faultsSeen,
            maxPacingLagMilliseconds: Double(target.robot.executor.maxPacingLagNanoseconds) / 1e6,
            memory: memory, maxGrowthBytes: maxGrowthBytes, loops: loops, problems: [])
        report.problems = problems(report)
        return report
    }

    private func problems(_ report: Report) -> [String] {
        var problems: [String] = []
        if !report.safetyFaults.isEmpty {
            problems.append("safety faults latched: \(report.safetyFaults.joined(separator: "; "))")
        }
        if let control = report.loops.first(where: { $0.loopName == "control" }) {
            if control.missedCycles > 0 || control.overruns > 0 {
                problems.append("control loop missed \(control.missedCycles) cycle(s), overran \(control.overruns) time(s)")
            }
        }
        if !report.consoleFailures.isEmpty {
            problems.append("\(report.consoleFailures.count) console command(s) failed, first: \(report.consoleFailures[0])")
        }
        if report.memory.samples >= 2, report.memory.growthBytes > maxGrowthBytes {
            problems.append("resident memory grew \(report.memory.growthBytes / 1024) KiB (limit \(maxGrowthBytes / 1024) KiB)")
        }
        if report.stowsFinished == 0, report.simulatedSeconds >= Self.stowExpectedAfterSimulatedSeconds {
            problems.append("no stow finished in \(Int(report.simulatedSeconds)) s simulated: the cycle is not running")
        }
        return problems
    }

    static func text(_ report: Report) -> String {
        func mib(_ bytes: UInt64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        // `-`: a loop that does not measure its execution (the simulator's own step).
        func us(_ loop: LoopStatisticsSnapshot, _ ns: UInt64) -> String {
            loop.measuresExecution ? String(format: "%.1f", Double(ns) / 1000) : "-"
        }
        var lines = [
            String(format: "soak: %.1f s wall, %.1f s simulated (paced 1:1), %d stows finished, %d console commands (%d failed, %d answered late)",
                   report.wallSeconds, report.simulatedSeconds, report.stowsFinished, report.consoleCommands, report.consoleFailures.count,
                   report.consoleLate),
            "safety faults latched: " + (report.safetyFaults.isEmpty ? "none" : report.safetyFaults.joined(separator: "; ")),
            "resident memory: start \(mib(report.memory.startBytes)) (after the first stow), end \(mib(report.memory.endBytes)), "
                + "max \(mib(report.memory.maxBytes)), growth \(mib(report.memory.growthBytes)) over \(report.memory.samples) samples "
                + "(limit \(mib(report.maxGrowthBytes)))",
            String(format: "pacing: worst wall-clock lag of a tick behind its virtual instant %.1f ms", report.maxPacingLagMilliseconds),
            "loop          ticks      missed  overruns  exec p50 µs  p99 µs   max µs",
        ]
        for loop in report.loops {
            let name = loop.loopName.padding(toLength: 13, withPad: " ", startingAt: 0)
            lines.append(name + " " + [String(loop.ticks).leftPadded(10), String(loop.missedCycles).leftPadded(7),
                                       String(loop.overruns).leftPadded(9), us(loop, loop.execution.p50Nanoseconds).leftPadded(12),
                                       us(loop, loop.execution.p99Nanoseconds).leftPadded(7), us(loop, loop.execution.maxNanoseconds).leftPadded(8)]
                .joined(separator: " "))
        }
        lines.append(report.passed ? "soak: ok" : "soak: FAILED: " + report.problems.joined(separator: "; "))
        return lines.joined(separator: "\n") + "\n"
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
