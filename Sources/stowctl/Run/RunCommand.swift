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
        let service: RunningService
        switch robot.backend {
        case .linux:
            service = try startHardware(robot, logger: logger)
        case .sim:
            service = try startSimulated(robot, logger: logger)
        }
        try serve(service, robot: robot, signals: signals, logger: logger)
    }

    /// The journal file: `--journal`, else systemd's StateDirectory, else /var/lib/stowctl.
    var journalPath: String {
        if let journal { return journal }
        let directory = ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            ?? "/var/lib/stowctl"
        return directory + "/stow-journal.sqlite"
    }

    /// A started controller, either backend: what the console talks to, and how it stops.
    struct RunningService {
        var target: ConsoleTarget
        var journal: StowJournal
        /// Stops the controller (`reason`: the signal's name) and returns what the EOAT holds
        /// then; nil if the stop produced no report.
        var stop: (_ reason: String) -> ShutdownReport?
    }

    /// Serves the console until SIGTERM, SIGINT or SIGHUP, then stops the controller and reports.
    private func serve(_ service: RunningService, robot: RobotConfig, signals: TerminationSignals, logger: Logger) throws {
        let stopping = Atomic<Bool>(false)
        let console = consoleThread(target: service.target, robot: robot, shouldStop: { stopping.load(ordering: .acquiring) }, logger: logger)
        console?.start()
        let received = signals.wait(seconds: nil) ?? SIGTERM
        logger.notice("\(TerminationSignals.name(received)): stopping: quick stop, then drives disabled and STO off")
        stopping.store(true, ordering: .releasing)
        let final = service.stop(TerminationSignals.name(received))
        while !(console?.isFinished ?? true) { usleep(10_000) }

        var failed = false
        do {
            try service.journal.close()
        } catch {
            logger.error("journal: \(error)")
            failed = true
        }
        guard let final else {
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

    /// Opens the journal and starts this run's campaign; returns where its attempt numbers start.
    private func openJournal(_ robot: RobotConfig, seed: UInt64?, world: String?, logger: Logger) throws -> (StowJournal, String, Int) {
        let campaignID = campaign ?? "\(robot.name)-\(Self.compactUTC(Date()))"
        do {
            let store = try StowJournal(path: journalPath, durability: .powerLoss)
            let firstAttempt = try store.startCampaign(JournalCampaign(id: campaignID, configFile: config, seed: seed, world: world))
            return (store, campaignID, firstAttempt)
        } catch {
            logger.critical("not started: journal \(journalPath): \(error)")
            throw ExitCode(1)
        }
    }

    private static let held = "HELD: drives disabled until an operator types `reset faults` at the console"

    // MARK: - Hardware

    /// Every device check first (the cell link's answer included): any failure ends the start with
    /// all of them listed and nothing opened. Then the devices are opened for good, the operator
    /// stop latched, and the loops started.
    private func startHardware(_ robot: RobotConfig, logger: Logger) throws -> RunningService {
        let failed = DeviceChecks.all(robot).filter { $0.status == .fail }
        for check in failed {
            logger.critical("missing: \(check.name): \(check.found); fix: \(check.fix)")
        }
        if !failed.isEmpty {
            logger.critical("not started: \(failed.count) device check(s) failed for \(config); nothing was started (stowctl doctor --config \(config) shows every check)")
            throw ExitCode(1)
        }
        let (store, campaignID, firstAttempt) = try openJournal(robot, seed: nil, world: nil, logger: logger)
        let hardware: HardwareRobot
        do {
            hardware = try HardwareRobot(config: robot, campaignID: campaignID, firstAttemptIndex: firstAttempt, journal: store)
            hardware.holdAtStart()
            try hardware.start()
        } catch {
            try? store.close()
            logger.critical("not started: \(error); nothing was started")
            throw ExitCode(1)
        }
        logger.notice("started: robot \(robot.name) on hardware (\(config)), journal \(journalPath), campaign \(campaignID); \(Self.held)")
        return RunningService(target: hardware, journal: store, stop: { reason in hardware.shutDown(reason: reason) })
    }

    // MARK: - Simulation

    private func startSimulated(_ robot: RobotConfig, logger: Logger) throws -> RunningService {
        guard let sim = robot.sim else {
            logger.critical("not started: \(config) has backend: sim but no sim section")
            throw ExitCode(1)
        }
        let (store, campaignID, _) = try openJournal(robot, seed: sim.seed, world: sim.world.rawValue, logger: logger)
        let target = try SimConsoleTarget(config: robot, campaignID: campaignID, journal: store, holdAtStart: true)
        let previousHook = target.robot.machine.onTransition
        target.robot.machine.onTransition = { transition in
            previousHook?(transition)
            logger.info("\(TransitionLog.line(transition))")
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
        logger.notice("started: robot \(robot.name) on the simulator (\(config)), journal \(journalPath), campaign \(campaignID); \(Self.held)")
        simulation.start()
        return RunningService(target: target, journal: store, stop: { received in
            reason.withLock { $0 = received }
            // At once, from this thread: the simulation may be in the middle of a slow slice.
            target.controlledStop.requestStop()
            stopping.store(true, ordering: .releasing)
            while !simulation.isFinished { usleep(10_000) }
            return report.withLock { $0 }
        })
    }

    /// The console on a port (reopened when it goes away) or on stdin/stdout; nil with --no-console.
    private func consoleThread(target: ConsoleTarget, robot: RobotConfig, shouldStop: @escaping @Sendable () -> Bool,
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
