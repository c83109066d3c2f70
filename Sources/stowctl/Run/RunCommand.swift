import ArgumentParser
import Config
import Console
import Control
import Foundation
import HAL
import Journal
import Logging
import Synchronization

/// `stowctl run`: the controller as a long-running service (systemd's `stowctl.service`).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the controller as a service until SIGTERM or SIGINT.",
        discussion: """
            Starts only with a valid config and, on backend: linux, every device present and \
            answering (the checks of `stowctl doctor`): otherwise it lists each missing one with its \
            fix and exits 1, having started nothing. A config with backend: sim runs the same service \
            on SimHAL, paced in real time (firmware-config/sim.yaml).

            It starts held: an operator stop is latched before the first tick, so the drives stay \
            disabled, STO off and the red light on until a person types `reset faults` at the \
            console. A restart (by systemd or by hand) therefore never moves anything by itself.

            The diagnostics console is served on --console-port, else console.port from the config, \
            else stdin/stdout (its end, or stdin being /dev/null, does not stop the service). Every \
            finished stow attempt is written to --journal before the next one starts.

            On SIGTERM or SIGINT: quick stop on every drive while STO stays on so they brake, then \
            drives disabled and STO off, every output at its safe value; the interrupted attempt is \
            journaled as unproductive; the journal is closed (its write-ahead log folded in); the \
            final state of every output and drive is logged; exit 0. Logs go to stderr, with \
            syslog priority prefixes when stderr is the journal (JOURNAL_STREAM). Manual: docs/deploy.md.

            Examples:
              stowctl run --config /etc/stowctl/eoat.yaml
              stowctl run --config firmware-config/sim.yaml --journal /tmp/run.sqlite
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config.")
    var config: String = "/etc/stowctl/eoat.yaml"

    @Option(help: "SQLite stow journal (default: $STATE_DIRECTORY/stow-journal.sqlite under systemd, else /var/lib/stowctl/stow-journal.sqlite).")
    var journal: String?

    @Option(help: "Campaign id in the journal (default: ROBOT-YYYYMMDDTHHMMSSZ, one per start).")
    var campaign: String?

    @Option(name: .customLong("console-port"), help: "Serve the console on this serial port or pty (default: console.port from the config, else stdin/stdout).")
    var consolePort: String?

    @Flag(name: .customLong("no-console"), help: "Serve no console.")
    var noConsole = false

    func run() throws {
        try global.bootstrapLogging()
        // Before any thread starts, so every thread inherits the blocked signals.
        let signals = TerminationSignals()
        let logger = Logger(label: "stow.run")
        let robot: RobotConfig
        do {
            robot = try RobotConfig.load(path: config)
        } catch {
            logger.critical("not started: \(config): \("\(error)".replacingOccurrences(of: "\n", with: "; ")) (check with stowctl check-config \(config))")
            throw ExitCode(1)
        }
        switch robot.backend {
        case .linux:
            try refuseHardware(robot, logger: logger)
        case .sim:
            try runSimulated(robot, signals: signals, logger: logger)
        }
    }

    /// The journal file: `--journal`, else systemd's StateDirectory, else /var/lib/stowctl.
    var journalPath: String {
        if let journal { return journal }
        let directory = ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            ?? "/var/lib/stowctl"
        return directory + "/stow-journal.sqlite"
    }

    // MARK: - Hardware

    /// Every device check (the cell link's answer included); any failure ends the start with all
    /// of them listed. What runs after that on hardware is not written yet (see `hardwareGaps`).
    private func refuseHardware(_ robot: RobotConfig, logger: Logger) throws {
        let failed = DeviceChecks.all(robot).filter { $0.status == .fail }
        for check in failed {
            logger.critical("missing: \(check.name): \(check.found); fix: \(check.fix)")
        }
        if !failed.isEmpty {
            logger.critical("not started: \(failed.count) device check(s) failed for \(config); nothing was started (stowctl doctor --config \(config) shows every check)")
            throw ExitCode(1)
        }
        logger.critical("not started: every device of \(config) is present and answering, the cell link included, but \(Self.hardwareGaps); nothing was started. Use the bench tools (stowctl drive, stowctl gpio, stowctl cell) meanwhile.")
        throw ExitCode(1)
    }

    /// What still stands between the devices and a stow cycle on hardware (docs/deploy.md).
    static let hardwareGaps = "a hardware run still lacks (1) a depth camera backend (camera.source is sim or replay only), "
        + "(2) the console on hardware, without which the held start can never be released (only SimConsoleTarget "
        + "implements ConsoleTarget), and (3) the wiring of GPIO lines, drives, the cell link and the camera into the "
        + "Controller and its executors in stowctl"

    // MARK: - Simulation

    private func runSimulated(_ robot: RobotConfig, signals: TerminationSignals, logger: Logger) throws {
        guard let sim = robot.sim else {
            logger.critical("not started: \(config) has backend: sim but no sim section")
            throw ExitCode(1)
        }
        let campaignID = campaign ?? "\(robot.name)-\(Self.compactUTC(Date()))"
        let store: StowJournal
        do {
            store = try StowJournal(path: journalPath, durability: .powerLoss)
            _ = try store.startCampaign(JournalCampaign(id: campaignID, configFile: config, seed: sim.seed, world: sim.world.rawValue))
        } catch {
            logger.critical("not started: journal: \(error)")
            throw ExitCode(1)
        }
        let target = try SimConsoleTarget(config: robot, campaignID: campaignID, journal: store, holdAtStart: true)
        let previousHook = target.robot.machine.onTransition
        target.robot.machine.onTransition = { transition in
            previousHook?(transition)
            let cause = transition.cause.isEmpty ? "" : ": \(transition.cause)"
            logger.info("stow: \(transition.from.rawValue) -\(transition.event.rawValue)-> \(transition.to.rawValue)\(cause)")
        }

        let stopping = Atomic<Bool>(false)
        let report = Mutex<ShutdownReport?>(nil)
        let reason = Mutex("stop")
        let simulation = Thread {
            target.run(until: { stopping.load(ordering: .acquiring) })
            let stopReport = target.shutDown(reason: reason.withLock { $0 })
            report.withLock { $0 = stopReport }
        }
        simulation.name = "stow-sim"
        let console = consoleThread(target: target, robot: robot, shouldStop: { stopping.load(ordering: .acquiring) }, logger: logger)
        let held = "HELD: drives disabled until an operator types `reset faults` at the console"
        logger.notice("started: robot \(robot.name) on the simulator (\(config)), journal \(journalPath), campaign \(campaignID); \(held)")
        simulation.start()
        console?.start()

        let received = signals.wait(seconds: nil) ?? SIGTERM
        reason.withLock { $0 = TerminationSignals.name(received) }
        logger.notice("\(TerminationSignals.name(received)): stopping: quick stop, then drives disabled and STO off")
        // At once, from this thread: the control side may be in the middle of a slow slice.
        target.controlledStop.requestStop()
        stopping.store(true, ordering: .releasing)
        while !simulation.isFinished || !(console?.isFinished ?? true) { usleep(10_000) }

        var failed = false
        do {
            try store.close()
        } catch {
            logger.error("journal: \(error)")
            failed = true
        }
        guard let final = report.withLock({ $0 }) else {
            logger.critical("stopped without a final report; check the journal with stowctl journal check --db \(journalPath)")
            throw ExitCode(1)
        }
        for line in final.lines {
            logger.notice("\(line)")
        }
        failed = failed || !final.outputsSafe || final.journalProblem != nil
        logger.notice(failed ? "stopped with problems (above)" : "stopped cleanly; journal \(journalPath) closed")
        if failed { throw ExitCode(1) }
    }

    /// The console on a port (reopened when it goes away) or on stdin/stdout; nil with --no-console.
    private func consoleThread(target: SimConsoleTarget, robot: RobotConfig, shouldStop: @escaping @Sendable () -> Bool,
                               logger: Logger) -> Thread? {
        guard !noConsole else { return nil }
        if let path = consolePort ?? robot.console.port {
            let settings = SerialSettings(baud: robot.console.baud)
            let thread = Thread { ConsoleSubcommand.serve(path: path, settings: settings, target: target, shouldStop: shouldStop) }
            thread.name = "stow-console"
            return thread
        }
        let thread = Thread {
            let stream = StdioByteStream()
            stream.makeRaw()
            let end = ConsoleSession(stream: stream, target: target).run(shouldStop: shouldStop)
            stream.restore()
            if end != .stopped {
                logger.notice("console on stdin ended (\(end)); the controller keeps running until SIGTERM")
            }
        }
        thread.name = "stow-console"
        return thread
    }

    /// `20261129T081500Z`.
    static func compactUTC(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
