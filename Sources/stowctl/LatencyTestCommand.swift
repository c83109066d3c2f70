import ArgumentParser
import Control
import Foundation
import Logging

/// `stowctl latency-test`: how late our own loop machinery wakes up, cyclictest-style.
///
/// Runs an empty loop on the real-time or Dispatch executor and reports the wake-up lateness
/// (start minus deadline) the loop statistics recorded. scripts/bench-latency puts these
/// figures beside cyclictest's. A measurement, not a test: it exits 0 whatever the verdict.
struct LatencyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency-test",
        abstract: "Measure the wake-up latency of a loop on the real-time or Dispatch executor.",
        discussion: """
            Runs an empty periodic loop at --hz for --seconds on the project's own executors and \
            prints min, avg, p50, p99, p99.9 and max wake-up latency in µs, missed cycles, the \
            real-time report (kernel preemption model, SCHED_FIFO, mlockall, limits, affinity, \
            timer slack, RT throttling) and a verdict.

            Verdict, on p99.9 against the period: below 10 % of the period (100 µs at 1 kHz) is \
            good for a control loop at that rate; below one period (1 ms at 1 kHz) is acceptable \
            (the loop keeps its rate, with jitter); otherwise not fit for that rate. The maximum \
            is printed but not judged: a VM shows 0.4-12 ms spikes whatever runs.

            With --executor realtime and no permission for SCHED_FIFO, the loop falls back to \
            Dispatch; the output says so and "executor" in --json is then "dispatch".

            Example: stowctl latency-test --hz 1000 --seconds 20 --executor realtime --priority 80 --json
            """
    )

    enum ExecutorChoice: String, ExpressibleByArgument, CaseIterable {
        case realtime, dispatch
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Loop rate in Hz.")
    var hz: Double = 1000

    @Option(help: "How long to measure, in seconds.")
    var seconds: Double = 10

    @Option(help: "Executor: realtime (SCHED_FIFO thread) or dispatch (DispatchSourceTimer).")
    var executor: ExecutorChoice = .realtime

    @Option(help: "SCHED_FIFO priority for --executor realtime, 1...99.")
    var priority: Int32 = 80

    @Option(help: "Pin the real-time thread to this CPU.")
    var cpu: Int?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard hz > 0, hz.isFinite, hz <= 100_000 else {
            throw ValidationError("--hz must be above 0 and at most 100000, got \(hz)")
        }
        guard seconds > 0, seconds.isFinite else {
            throw ValidationError("--seconds must be positive, got \(seconds)")
        }
        guard (1...99).contains(priority) else {
            throw ValidationError("--priority: \(priority) is outside 1...99 (SCHED_FIFO priorities)")
        }
        if let cpu, cpu < 0 {
            throw ValidationError("--cpu must be a CPU number (0, 1, ...), got \(cpu)")
        }
    }

    func run() throws {
        try global.bootstrapLogging()
        // Before any thread starts, so every thread inherits the blocked signals and Ctrl-C ends
        // the measurement early but cleanly.
        let signals = TerminationSignals()
        let loop = try PeriodicLoop(name: "latency-test", rateHz: hz) { _ in }

        let runner: any LoopExecutor
        var realtime: RealtimeLoopExecutor?
        var dispatchWakeupLatency: CPUWakeupLatencyRequest?
        switch executor {
        case .realtime:
            let executor = RealtimeLoopExecutor(
                loop: loop, options: .init(priority: priority, cpu: cpu), logger: Logger(label: "stow.latency-test"))
            realtime = executor
            runner = executor
        case .dispatch:
            runner = DispatchLoopExecutor(loops: [loop])
            // In `stowctl run` the control loop's executor holds this request for the whole
            // process, so the Dispatch loops beside it wake up under it too; so does cyclictest.
            dispatchWakeupLatency = try? CPUWakeupLatencyRequest(microseconds: 0)
        }
        try runner.start()
        let report = RealtimeReport.capture(executor: realtime?.status)
        if !json {
            print(report)
            print("measuring \(format2(hz)) Hz for \(format2(seconds)) s on \(runner.executorDescription) ...")
        }
        if let signal = signals.wait(seconds: seconds), !json {
            print("stopped early by \(TerminationSignals.name(signal))")
        }
        runner.stop()
        dispatchWakeupLatency?.release()

        let result = LatencyTestResult(
            executor: realtime?.status.fellBackToDispatch == false ? "realtime" : "dispatch",
            requestedExecutor: executor.rawValue, hz: hz, statistics: loop.statisticsSnapshot(),
            fallbackReason: realtime?.status.fallbackReason)
        if json {
            var object = result.jsonObject
            let reportData = try JSONEncoder().encode(report)
            object["realtime_report"] = try JSONSerialization.jsonObject(with: reportData)
            try printJSON(object)
        } else {
            print(result.text)
        }
    }
}

/// The figures of one latency test and the verdict on them.
struct LatencyTestResult {
    var executor: String
    var requestedExecutor: String
    var hz: Double
    var statistics: LoopStatisticsSnapshot
    var fallbackReason: String?

    enum Verdict: String {
        case good, acceptable, notFit = "not fit", noSamples = "no samples"
    }

    var lateness: DurationSummary { statistics.lateness }
    var periodMicroseconds: Double { 1e6 / hz }

    /// p99.9 below 10 % of the period: good; below one period: acceptable; else not fit.
    var verdict: Verdict {
        guard lateness.samples > 0 else { return .noSamples }
        let p999 = Self.microseconds(lateness.p999Nanoseconds)
        if p999 < periodMicroseconds / 10 { return .good }
        if p999 < periodMicroseconds { return .acceptable }
        return .notFit
    }

    var verdictText: String {
        let p999 = format1(Self.microseconds(lateness.p999Nanoseconds))
        let tenth = format1(periodMicroseconds / 10)
        let period = format1(periodMicroseconds)
        switch verdict {
        case .good:
            return "good for a \(format2(hz)) Hz loop: p99.9 \(p999) µs < \(tenth) µs (10 % of the period)"
        case .acceptable:
            return "acceptable for a \(format2(hz)) Hz loop: p99.9 \(p999) µs is above \(tenth) µs (10 % of the period) "
                + "but below the \(period) µs period"
        case .noSamples:
            return "no samples: the run was shorter than one period"
        case .notFit:
            return "NOT FIT for a \(format2(hz)) Hz loop: p99.9 \(p999) µs >= the \(period) µs period "
                + "(lower the rate, use --executor realtime, or a PREEMPT_RT kernel)"
        }
    }

    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "executor": executor,
            "executor_requested": requestedExecutor,
            "hz": hz,
            "samples": statistics.ticks,
            "min_us": Self.microseconds(lateness.minNanoseconds),
            "avg_us": lateness.meanNanoseconds / 1000,
            "p50_us": Self.microseconds(lateness.p50Nanoseconds),
            "p99_us": Self.microseconds(lateness.p99Nanoseconds),
            "p999_us": Self.microseconds(lateness.p999Nanoseconds),
            "max_us": Self.microseconds(lateness.maxNanoseconds),
            "missed": statistics.missedCycles,
            "overruns": statistics.overruns,
            "verdict": verdict.rawValue,
        ]
        if let fallbackReason {
            object["fallback_reason"] = fallbackReason
        }
        return object
    }

    var text: String {
        let lines = [
            "executor \(executor)\(fallbackReason.map { " (FALLBACK from realtime: \($0))" } ?? ""), "
                + "\(format2(hz)) Hz: \(statistics.ticks) samples, \(statistics.missedCycles) missed, \(statistics.overruns) overruns",
            "wake-up latency µs: min \(format1(Self.microseconds(lateness.minNanoseconds)))"
                + "  avg \(format1(lateness.meanNanoseconds / 1000))"
                + "  p50 \(format1(Self.microseconds(lateness.p50Nanoseconds)))"
                + "  p99 \(format1(Self.microseconds(lateness.p99Nanoseconds)))"
                + "  p99.9 \(format1(Self.microseconds(lateness.p999Nanoseconds)))"
                + "  max \(format1(Self.microseconds(lateness.maxNanoseconds)))",
            "verdict: \(verdictText)",
        ]
        return lines.joined(separator: "\n")
    }

    static func microseconds(_ nanoseconds: UInt64) -> Double {
        Double(nanoseconds) / 1000
    }
}

private func format1(_ value: Double) -> String {
    String(format: "%.1f", value)
}
