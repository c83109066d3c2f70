import ArgumentParser
import Control
import Foundation
import Journal

/// `stowctl journal stress` (hidden, for scripts/journal-crash-test): records synthetic attempts
/// one by one through the same `StowJournal.record` a campaign uses, printing each attempt index
/// on stdout only after its commit returned. A kill -9 at any moment must leave exactly the
/// printed attempts (or one more, committed but not yet printed) in the journal.
struct JournalStressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Record synthetic attempts one by one, printing each index after its commit (crash tests).",
        discussion: """
            Resumes after the attempts already recorded for --campaign and says so on stderr, then \
            records up to attempt --count - 1. Each stdout line is one committed attempt index. At \
            the end, stderr gets the rate: attempts per second. --durability process-crash uses \
            synchronous = NORMAL instead of FULL (survives kill -9, not power loss).

            Example: stowctl journal stress --db /tmp/j.sqlite --campaign crash-1 --count 1000
            """,
        shouldDisplay: false
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: JournalFileOptions

    @Option(help: "Campaign id to record under (resumed if it is already in the journal).")
    var campaign: String

    @Option(help: "Attempts the campaign should have in all when done.")
    var count: Int

    @Option(help: "power-loss (synchronous = FULL, the default) or process-crash (NORMAL).")
    var durability: String = "power-loss"

    func validate() throws {
        if count < 0 { throw ValidationError("--count must be 0 or more, not \(count)") }
        if journalDurability == nil {
            throw ValidationError("--durability must be power-loss or process-crash, not '\(durability)'")
        }
    }

    private var journalDurability: StowJournal.Durability? {
        switch durability {
        case "power-loss": .powerLoss
        case "process-crash": .processCrash
        default: nil
        }
    }

    func run() throws {
        try global.bootstrapLogging()
        let journal = try reportingJournalErrors {
            try StowJournal(path: file.databasePath, durability: journalDurability ?? .powerLoss)
        }
        let resumeAt = try reportingJournalErrors {
            try journal.startCampaign(JournalCampaign(id: campaign, world: "stress"))
        }
        if resumeAt > 0 {
            printToStderr("\(journal.path): resuming campaign '\(campaign)' at attempt \(resumeAt) "
                + "(\(resumeAt) already recorded)")
        }
        let started = ContinuousClock.now
        var recorded = 0
        for index in resumeAt..<max(resumeAt, count) {
            try reportingJournalErrors {
                try journal.record(SyntheticAttempt.make(campaignID: campaign, index: index))
            }
            // Unbuffered: the line reaches the pipe now, so a reader sees exactly what was committed.
            FileHandle.standardOutput.write(Data("\(index)\n".utf8))
            recorded += 1
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(recorded) / seconds : 0
        printToStderr("\(journal.path): recorded \(recorded) attempt(s) in \(String(format: "%.2f", seconds)) s: "
            + "\(String(format: "%.0f", rate)) attempts/s "
            + "(synchronous = \(journal.durability == .powerLoss ? "FULL" : "NORMAL"), one transaction each)")
    }
}

/// A plausible attempt made from its index alone: seven phases, a fixed outcome mix (17 success,
/// 2 unproductive, 1 amnesty in every 20), 16 s per attempt on a made-up controller clock.
enum SyntheticAttempt {
    static let phaseNames = ["grasp", "approach", "separate_bands", "make_space", "insert", "retract", "verify"]
    static let attemptNanoseconds: UInt64 = 16_000_000_000

    static func make(campaignID: String, index: Int) -> StowAttemptRecord {
        let start = UInt64(index) * attemptNanoseconds
        let phaseNanoseconds = attemptNanoseconds / UInt64(phaseNames.count)
        let slot = index % 20
        let outcome: StowOutcome = slot < 17 ? .success : (slot < 19 ? .unproductive : .amnesty)
        let cause: String
        switch outcome {
        case .success: cause = ""
        case .unproductive: cause = "no bin fits 180 mm"
        case .amnesty, .damage: cause = "item fell out: neighbour pushed past the band"
        }
        let phases = phaseNames.enumerated().map { position, name in
            PhaseRecord(phase: name, startNanoseconds: start + UInt64(position) * phaseNanoseconds,
                        endNanoseconds: start + UInt64(position + 1) * phaseNanoseconds,
                        result: outcome != .success && position == phaseNames.count - 1 ? cause : "ok")
        }
        let bin = "B\(index % 12)"
        return StowAttemptRecord(
            campaignID: campaignID, attemptIndex: index, itemID: "stress-\(index)", itemKind: "box-small",
            binName: bin, binsTried: outcome == .unproductive ? ["A\(index % 12)", bin] : [bin],
            outcome: outcome, cause: cause, startNanoseconds: start, endNanoseconds: start + attemptNanoseconds,
            phases: phases, retries: outcome == .unproductive ? 1 : 0, exploration: index % 25 == 0,
            faults: [])
    }
}
