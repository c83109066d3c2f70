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
/// With a journal (`stowctl run`), each finished stow attempt is written to it before the stow
/// cycle may go on; without one (`stowctl console`) it is acknowledged as recorded at once. Either
/// way the last few are kept in memory for `journal last N`. `stowctl run` also holds the EOAT
/// safe at start until an operator resets faults, and ends with `shutDown(reason:)`.
final class SimConsoleTarget: ConsoleTarget, @unchecked Sendable {
    let config: RobotConfig
    let modeName = "simulator"
    let simulatesFaults = true
    let robot: SimulatedRobot
    let maintenance: MaintenanceOverride
    /// Outermost application: brakes and disables the EOAT on `shutDown`.
    let controlledStop: ControlledStop
    let recorder: AttemptRecorder
    let queue = ConsoleRequestQueue(capacity: 16)
    /// Virtual time run between drains; at real-time pacing also the console's worst added delay.
    static let sliceNanoseconds: UInt64 = 10_000_000

    private let published: LatestValue<ConsoleView>
    private let logger: Mutex<Logger>
    private let requests: ControllerRequests

    /// `holdAtStart`: latch an operator stop before the first tick, so nothing moves until a
    /// person resets faults (what a service restarted by systemd must do).
    init(config: RobotConfig, campaignID: String = "console", journal: StowJournaling? = nil, holdAtStart: Bool = false) throws {
        var wrapped: MaintenanceOverride?
        var stop: ControlledStop?
        robot = try SimulatedRobot(config: config, campaignID: campaignID, pacing: .wallClock(rate: 1)) { machine in
            let maintenance = MaintenanceOverride(wrapping: machine, config: config)
            wrapped = maintenance
            stop = ControlledStop(wrapping: maintenance, safeValues: SafetySupervisor.Limits(config: config).safeValues)
            return stop!
        }
        maintenance = wrapped!
        controlledStop = stop!
        self.config = config
        recorder = AttemptRecorder(journal: journal)
        requests = ControllerRequests(controller: robot.controller, machine: robot.machine, maintenance: maintenance)
        if holdAtStart {
            robot.controller.controlLoop.supervisor.latch(
                .operatorStop, StartupHold.subject, StartupHold.message, hint: StartupHold.hint, now: robot.clock.now())
        }
        logger = Mutex(Logger(label: "stow.console"))
        published = LatestValue(ConsoleView(
            time: robot.clock.now(), stowState: robot.machine.state.rawValue, control: robot.controller.controlLoop.snapshot,
            drives: [], maintenance: MaintenanceStatus(armed: false)))
    }

    /// Attempts finished and acknowledged so far; read once `run(until:)` has returned.
    var attemptsAcknowledged: Int { recorder.recordedThrough + 1 }

    var loops: [PeriodicLoop] { robot.executor.loops }
    var busSchedulers: [BusScheduler] { robot.controller.busSchedulers }

    func view() -> ConsoleView { published.read() }

    func realtimeReport() -> RealtimeReport { RealtimeReport.capture() }

    func post(_ request: ConsoleRequest) -> ConsoleTicket? {
        logger.withLock { $0.debug("console request: \(request)") }
        return queue.post(request)
    }

    func journal(last count: Int) throws -> [String] {
        recorder.lines(last: count)
    }

    func setLogLevel(_ level: ConsoleLogLevel) {
        logger.withLock { $0.logLevel = Logger.Level(rawValue: level.rawValue) ?? .info }
    }

    /// Runs the simulation paced in real time until `shouldStop()`; call on a thread of its own.
    func run(until shouldStop: () -> Bool) {
        publish()
        while !shouldStop() {
            robot.executor.run(forNanoseconds: Self.sliceNanoseconds)
            recorder.takeFinishedAttempt(from: robot.machine)
            queue.drainIfAvailable { handle($0) }
            publish()
        }
        queue.drainIfAvailable { _ in .refused("the simulation stopped") }
    }

    /// Stops the EOAT after `run(until:)` returned, on the same thread: quick stop, then drives
    /// disabled and STO off (`ControlledStop`), the interrupted attempt (if any) journaled, the
    /// loops finished. Returns what the simulated lines and drives hold at the end.
    func shutDown(reason: String) -> ShutdownReport {
        controlledStop.requestStop()
        let limit = robot.clock.now().adding(nanoseconds: controlledStop.quickStopTimeoutNanoseconds + 1_000_000_000)
        while !controlledStop.isStopped, robot.clock.now() < limit {
            robot.executor.run(forNanoseconds: Self.sliceNanoseconds)
            recorder.takeFinishedAttempt(from: robot.machine)
        }
        // Two bus cycles more, so every drive has received its disable command.
        let busCycleNanoseconds = UInt64(1e9 / (config.buses.map(\.pollHz).min() ?? 10))
        robot.executor.run(forNanoseconds: 2 * busCycleNanoseconds + Self.sliceNanoseconds)
        recorder.takeFinishedAttempt(from: robot.machine)
        queue.drainIfAvailable { _ in .refused("the controller is stopping") }
        let interrupted = robot.machine.closeInterruptedAttempt(now: robot.clock.now(), cause: "interrupted: \(reason)")
        let journalProblem = interrupted.flatMap { recorder.recordInterrupted($0) }
        robot.executor.finish()
        publish()
        let world = robot.eoat.world
        return ShutdownReport(
            reason: reason, stopCompleted: controlledStop.isStopped,
            outputs: EOATOutputs.signalNames.indices.map { index in
                (EOATOutputs.signalNames[index], world.outputs[index], robot.controller.controlLoop.supervisor.limits.safeValues[index])
            },
            drives: DriveRole.allCases.map { role in
                let drive = world.drives.drive(role)
                return (role.rawValue, drive.state.name, drive.velocityMMPerS)
            },
            interruptedAttempt: interrupted.map { "#\($0.attemptIndex) item \($0.itemID): \($0.cause)" },
            journalProblem: journalProblem ?? recorder.failure)
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
        if let reply = requests.answer(request, now: now) { return reply }
        switch request {
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
        default:
            return .refused("no answer for \(request); report it as a bug")
        }
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
