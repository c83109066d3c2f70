/// What the EOAT holds after `stowctl run` stopped: every output line with its safe value, every
/// drive's CiA 402 state, the attempt the stop interrupted, and whether the journal has it all.
/// Logged line by line at the end of a run, so journald keeps the last state of the robot.
struct ShutdownReport {
    /// `SIGTERM`, `SIGINT`.
    var reason: String
    /// The controlled stop reached "drives disabled, STO off" (else it timed out and STO dropped anyway).
    var stopCompleted: Bool
    var outputs: [(name: String, value: Bool, safe: Bool)]
    var drives: [(name: String, state: String, velocityMMPerS: Double)]
    /// `#12 item I000012: interrupted: SIGTERM in insert`, journaled as unproductive.
    var interruptedAttempt: String?
    /// Why the journal may be missing an attempt; nil when everything was recorded.
    var journalProblem: String?

    /// True when every output holds its safe value.
    var outputsSafe: Bool { outputs.allSatisfy { $0.value == $0.safe } }

    /// One line per fact, each starting `stopped:`, for the log.
    var lines: [String] {
        var lines = ["stopped: \(reason): controlled stop \(stopCompleted ? "completed" : "TIMED OUT (STO dropped anyway)"); "
            + "outputs \(outputsSafe ? "all at their safe values" : "NOT ALL SAFE")"]
        for output in outputs {
            lines.append("stopped: output \(output.name)=\(output.value) (safe \(output.safe))")
        }
        for drive in drives {
            let speed = abs(drive.velocityMMPerS) < 0.05 ? 0 : drive.velocityMMPerS
            lines.append("stopped: drive \(drive.name) \(drive.state) velocity_mm_s=\(speed)")
        }
        lines.append("stopped: interrupted attempt: \(interruptedAttempt ?? "none")")
        lines.append("stopped: journal: " + (journalProblem.map { "PROBLEM: \($0)" } ?? "every attempt recorded"))
        return lines
    }
}
