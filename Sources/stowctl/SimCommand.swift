import ArgumentParser
import CampaignReport
import Config
import Control
import Foundation
import Journal
import Logging
import Simulation

/// `stowctl sim`: a simulated stow campaign on SimHAL with the production control code.
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run a simulated stow campaign on SimHAL with the production control code.",
        discussion: """
            Builds the simulated robot from --config (backend: sim): SimHAL's world, drives, lines, \
            camera and arm behind the HAL contracts, the production controller (bus schedulers over \
            the real Modbus CiA 402 code, safety supervisor, stow cycle, perception) in virtual time. \
            Runs --stows attempts and prints the outcome table beside the published figures.

            Every attempt is written to the journal (--journal) before the next starts. Rerunning \
            the same campaign (--campaign, default derived from seed, world and config) resumes: \
            journaled attempts are re-simulated, not rewritten, and the run says so.

            Examples:
              stowctl sim --stows 200
              stowctl sim --stows 1000 --world paper-2025 --seed 7 --json
              stowctl sim --html report.html --log-level debug   (debug: every transition and world event)

            With --realtime it is a soak instead of a campaign: the simulated robot paced in wall-clock \
            time for --duration seconds (stow cycle, perception, bus) with console commands every \
            100 ms, resident memory sampled every second, and a report of loop statistics at the end; \
            exit 1 when a safety fault latched, the control loop missed a cycle, a console command \
            failed or memory grew (docs/reliability.md). No journal is written in this mode.
              stowctl sim --realtime --duration 600
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config; must use backend: sim.")
    var config: String = "firmware-config/sim.yaml"

    @Option(help: "Stow attempts to run.")
    var stows: Int = 100

    @Option(help: "Seed for the world (overrides sim.seed).")
    var seed: UInt64?

    @Option(help: "World profile: default or paper-2025 (overrides sim.world).")
    var world: String?

    @Option(help: "SQLite journal the attempts are written to.")
    var journal: String = "sim-journal.sqlite"

    @Option(help: "Campaign id in the journal (default: sim-<config>-<world>-seed<S>).")
    var campaign: String?

    @Option(help: "Also write a self-contained HTML report here.")
    var html: String?

    @Flag(help: "Print the results as JSON instead of the table.")
    var json = false

    @Flag(help: "Soak: run paced in wall-clock time with console traffic for --duration seconds (no campaign, no journal).")
    var realtime = false

    @Option(help: "With --realtime: how long to run, in seconds.")
    var duration: Double?

    func validate() throws {
        guard stows >= 1 else { throw ValidationError("--stows must be at least 1") }
        if duration != nil, !realtime { throw ValidationError("--duration goes with --realtime (a campaign is sized by --stows)") }
        if realtime, (duration ?? 0) <= 0 { throw ValidationError("--realtime needs --duration SECONDS, more than 0") }
        if let world, SimWorldProfile(rawValue: world) == nil {
            throw ValidationError("--world must be one of \(SimWorldProfile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        try global.bootstrapLogging()
        let logger = Logger(label: "stow.sim")
        var robotConfig = try loadSimRobotConfig(path: config, command: "stowctl sim")
        if let seed { robotConfig.sim?.seed = seed }
        if let world { robotConfig.sim?.world = SimWorldProfile(rawValue: world)! }
        let sim = robotConfig.sim!
        if realtime {
            return try soak(robotConfig)
        }
        let configName = URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent
        let campaignID = campaign ?? "sim-\(configName)-\(sim.world.rawValue)-seed\(sim.seed)"

        let store: StowJournal
        let resumeAt: Int
        do {
            store = try StowJournal(path: journal, durability: .processCrash)
            resumeAt = try store.startCampaign(JournalCampaign(id: campaignID, configFile: config, seed: sim.seed, world: sim.world.rawValue))
        } catch {
            printToStderr("\(error)")
            throw ExitCode(1)
        }
        if resumeAt > 0 {
            printToStderr("resuming campaign \(campaignID): \(resumeAt) attempts already in \(journal) are re-simulated, not rewritten")
        }

        let robot = try SimulatedRobot(config: robotConfig, campaignID: campaignID)
        robot.eoat.world.onEvent = { event in logger.debug("world: \(event)") }
        let progress = CampaignProgress()
        let total = stows
        let options = CampaignRunner.Options(
            stows: stows, journal: store, resumeFrom: resumeAt,
            onAttempt: { record, result in
                logger.debug("attempt \(record.attemptIndex) \(record.itemID): \(record.outcome.rawValue) \(record.cause)")
                progress.update(done: result.attempts, total: total, result: result)
            },
            onTransition: { transition in
                logger.debug("\(Double(transition.time.nanoseconds) / 1e9) s \(transition.from.rawValue) -\(transition.event.rawValue)-> \(transition.to.rawValue): \(transition.cause)")
            })
        let result: CampaignResult
        do {
            result = try CampaignRunner(robot: robot, configFile: config, options: options).run()
        } catch {
            progress.finish()
            printToStderr("stowctl sim: \(error)")
            throw ExitCode(1)
        }
        progress.finish()
        if json {
            print(try CampaignJSON.render(result), terminator: "")
        } else {
            print(CampaignTable.render(result))
        }
        if let html {
            do {
                try CampaignHTMLReport.write(result, to: html)
                printToStderr("wrote \(html)")
            } catch {
                printToStderr("\(error)")
                throw ExitCode(1)
            }
        }
    }

    /// `--realtime`: the soak (`SimSoak`).
    private func soak(_ robotConfig: RobotConfig) throws {
        let signals = TerminationSignals()
        let report = try SimSoak(config: robotConfig, durationSeconds: duration ?? 0).run { signals.arrived() }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(SimSoak.text(report), terminator: "")
        }
        if !report.passed { throw ExitCode(1) }
    }
}
