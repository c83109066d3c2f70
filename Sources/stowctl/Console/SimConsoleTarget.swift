import Config
import Console
import Control
import HAL
import Logging
import SimHAL
import Simulation
import Synchronization

/// The simulated robot as the console's target: `stowctl console` runs it paced in real time on
/// its own thread (`run(until:)`), in 10 ms slices. Between slices that thread drains the console's
/// request queue (so requests touch the supervisor, the stow cycle and the fault injector only
/// from the thread that runs the control loop) and publishes a `ConsoleView`.
///
/// There is no journal here: each finished stow attempt is acknowledged as recorded at once (the
/// stow cycle waits in `record` until it is) and kept in memory for `journal last N`.
final class SimConsoleTarget: ConsoleTarget, @unchecked Sendable {
    let config: RobotConfig
    let modeName = "simulator"
    let simulatesFaults = true
    let robot: SimulatedRobot
    let maintenance: MaintenanceOverride
    let queue = ConsoleRequestQueue(capacity: 16)
    /// Virtual time run between drains; at real-time pacing also the console's worst added delay.
    static let sliceNanoseconds: UInt64 = 10_000_000

    private let published: LatestValue<ConsoleView>
    private let logger: Mutex<Logger>
    /// This session's finished attempts, one line each, newest last.
    private let recentAttempts = Mutex<[String]>([])
    /// The newest attempt acknowledged as recorded (simulation thread only).
    private var recordedThrough = -1

    init(config: RobotConfig) throws {
        var wrapped: MaintenanceOverride?
        robot = try SimulatedRobot(config: config, campaignID: "console", pacing: .wallClock(rate: 1)) { machine in
            let maintenance = MaintenanceOverride(wrapping: machine, config: config)
            wrapped = maintenance
            return maintenance
        }
        maintenance = wrapped!
        self.config = config
        logger = Mutex(Logger(label: "stow.console"))
        published = LatestValue(ConsoleView(
            time: robot.clock.now(), stowState: robot.machine.state.rawValue, control: robot.controller.controlLoop.snapshot,
            drives: [], maintenance: MaintenanceStatus(armed: false)))
    }

    var loops: [PeriodicLoop] { robot.executor.loops }
    var busSchedulers: [BusScheduler] { robot.controller.busSchedulers }

    func view() -> ConsoleView { published.read() }

    func realtimeReport() -> RealtimeReport { RealtimeReport.capture() }

    func post(_ request: ConsoleRequest) -> ConsoleTicket? {
        logger.withLock { $0.debug("console request: \(request)") }
        return queue.post(request)
    }

    func journal(last count: Int) throws -> [String] {
        let lines = recentAttempts.withLock { Array($0.suffix(count)) }
        return ["this session's attempts, in memory (no journal in console simulation mode): \(lines.count)"] + lines
    }

    func setLogLevel(_ level: ConsoleLogLevel) {
        logger.withLock { $0.logLevel = Logger.Level(rawValue: level.rawValue) ?? .info }
    }

    /// Runs the simulation paced in real time until `shouldStop()`; call on a thread of its own.
    func run(until shouldStop: () -> Bool) {
        publish()
        while !shouldStop() {
            robot.executor.run(forNanoseconds: Self.sliceNanoseconds)
            acknowledgeFinishedAttempt()
            queue.drainIfAvailable { handle($0) }
            publish()
        }
        queue.drainIfAvailable { _ in .refused("the simulation stopped") }
        robot.executor.finish()
    }

    // MARK: - Private helpers (on the simulation thread)

    private func handle(_ request: ConsoleRequest) -> ConsoleReply {
        let now = robot.clock.now()
        let reply = answer(request, now: now)
        logger.withLock { $0.debug("console: \(request) -> \(reply)") }
        // Published before the reply is delivered, so the console's next read shows the change.
        publish()
        return reply
    }

    private func answer(_ request: ConsoleRequest, now: MonotonicInstant) -> ConsoleReply {
        if let reply = maintenance.handle(request, now: now, stowState: robot.machine.state.rawValue) { return reply }
        switch request {
        case .resetFaults:
            let faults = robot.controller.controlLoop.supervisor.faults.count
            robot.resetFaults()
            return .done("reset requested (\(faults) latched); drives get a fault reset for 300 ms, then anything still wrong "
                + "latches again: check `show faults`")
        case .acknowledge:
            guard robot.machine.state == .safeHold else {
                return .refused("the stow cycle is not in safe_hold (it is in \(robot.machine.state.rawValue)); nothing to acknowledge")
            }
            robot.machine.acknowledge()
            return .done("acknowledged: the stow cycle leaves safe_hold")
        case .estop:
            robot.controller.controlLoop.supervisor.latch(
                .operatorStop, "console", "operator stop from the console", hint: "reset faults when it is safe", now: now)
            return .done("operator stop latched: drives quick-stopped, drive enable off; `reset faults` when it is safe")
        case let .simFault(line):
            do {
                let spec = try SimFaultSpec.parse(line)
                try robot.eoat.faults.schedule(spec)
                return .done("fault scheduled: \(spec)")
            } catch {
                return .refused("\(error) (fault grammar: firmware-config/README.md, e.g. `sim fault drive-fault plank 0x7500`)")
            }
        case let .simFaultClear(kind):
            robot.eoat.faults.clear(kindName: kind)
            return .done(kind.map { "injected \($0) faults cleared" } ?? "all injected faults cleared")
        case .armMaintenance, .disarmMaintenance, .set, .jog, .home, .enable, .disable:
            return .refused("maintenance did not take this request; report it as a bug")
        }
    }

    private func acknowledgeFinishedAttempt() {
        guard let record = robot.machine.finishedAttempt.read(), record.attemptIndex > recordedThrough else { return }
        recordedThrough = record.attemptIndex
        let seconds = format3(Double(record.endNanoseconds - min(record.startNanoseconds, record.endNanoseconds)) / 1e9)
        let line = "#\(record.attemptIndex) \(record.outcome.rawValue) item \(record.itemID) (\(record.itemKind)) "
            + "bin \(record.binName ?? "-") in \(seconds) s" + (record.cause.isEmpty ? "" : ": \(record.cause)")
        recentAttempts.withLock { lines in
            lines.append(line)
            if lines.count > ConsoleCommand.journalLastLimit { lines.removeFirst(lines.count - ConsoleCommand.journalLastLimit) }
        }
        robot.machine.acknowledgeRecorded(through: record.attemptIndex)
    }

    private func publish() {
        let faults = robot.eoat.faults
        var control = robot.controller.controlLoop.snapshot
        // Faults as of now, so a fault latched by a request just drained (estop) shows at once.
        control.faults = robot.controller.controlLoop.supervisor.faults
        published.publish(ConsoleView(
            time: robot.clock.now(), stowState: robot.machine.state.rawValue, control: control,
            drives: robot.controller.busSchedulers.flatMap { $0.latestReports() },
            maintenance: maintenance.status(now: robot.clock.now()),
            simFaults: faults.activeFaults + faults.pendingFaults.map { "pending: \($0)" }))
    }
}
