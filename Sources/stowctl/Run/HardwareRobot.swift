import Config
import Console
import Control
import Foundation
import HAL
import Logging
import Perception

/// The controller on a Linux robot controller (`stowctl run`, `backend: linux`): the EOAT's GPIO
/// lines through libgpiod, the drives over Modbus RTU, the arm and induct over the cell link,
/// depth frames from the camera source, and the same production code as the simulator
/// (`Controller`, `StowMachine`, `PerceptionLoop`) run by wall-clock executors:
///
/// - the control tick on the real-time executor (SCHED_FIFO, falling back to Dispatch loudly)
///   when `loops.control.executor` is realtime, else on Dispatch;
/// - each drive bus's cyclic exchange on Dispatch (its serial I/O blocks);
/// - perception, and the service loop (journal writes, the console's view), on Dispatch.
///
/// The application chain, outermost first: `ConsoleGate` (console requests, on the control
/// thread) → `ControlledStop` (the stop on SIGTERM) → `MaintenanceOverride` → `StowMachine`.
final class HardwareRobot: @unchecked Sendable {
    let config: RobotConfig
    let lines: EOATLines
    let buses: DriveBuses
    let cell: CellLink
    let controller: Controller
    let machine: StowMachine
    let controlledStop: ControlledStop
    let recorder: AttemptRecorder
    let queue = ConsoleRequestQueue(capacity: 16)
    let perception: PeriodicLoop
    let service: PeriodicLoop
    private let controlExecutor: LoopExecutor
    private let dispatchExecutor: DispatchLoopExecutor
    /// The console's view, published by the service loop.
    let publishedView: LatestValue<ConsoleView>
    private let logger = Logger(label: "stow.run")

    /// Opens every device and builds the controller; starts nothing. Throws `HALError` naming
    /// the device that could not be opened; whatever was opened before is closed again.
    init(config: RobotConfig, campaignID: String, firstAttemptIndex: Int, journal: StowJournaling) throws {
        guard let cellConfig = config.cell else {
            throw HALError(device: "cell link", cause: .invalidRequest(
                "the config has no cell: section; the stow cycle needs the arm and the induct (docs/cell-link.md)"))
        }
        let camera = try Self.openCamera(config.camera)
        let lines = try EOATLines(config.gpio)
        let buses: DriveBuses
        do {
            buses = try DriveBuses(config)
        } catch {
            _ = lines.close()
            throw error
        }
        let cell: CellLink
        do {
            cell = try CellLink.open(cellConfig)
        } catch {
            buses.close()
            _ = lines.close()
            throw error
        }
        let clock = SystemClock.shared
        let demand = PerceptionDemand()
        let perceptionLoop = PerceptionLoop(camera: camera, clock: clock)
        let machine = StowMachine(
            config: config,
            environment: StowMachine.Environment(arm: cell.arm, induct: cell.induct, perception: perceptionLoop.output,
                                                 perceptionLoop: perceptionLoop, demand: demand),
            campaignID: campaignID, firstAttemptIndex: firstAttemptIndex)
        let maintenance = MaintenanceOverride(wrapping: machine, config: config)
        let controlledStop = ControlledStop(wrapping: maintenance, safeValues: SafetySupervisor.Limits(config: config).safeValues)
        let gate = ConsoleGate(wrapping: controlledStop, queue: queue, maintenance: maintenance)
        let controller: Controller
        do {
            controller = try Controller(config: config, inputs: lines.inputs, outputs: lines.outputs, drives: buses.drives,
                                        clock: clock, application: gate)
        } catch {
            cell.close()
            buses.close()
            _ = lines.close()
            throw error
        }
        gate.requests = ControllerRequests(controller: controller, machine: machine, maintenance: maintenance)

        let recorder = AttemptRecorder(journal: journal)
        let transitions = TransitionLog()
        machine.onTransition = { transitions.append($0) }
        let transitionLogger = Logger(label: "stow.run")
        let view = LatestValue(ConsoleView(time: clock.now(), stowState: machine.state.rawValue,
                                           control: controller.controlLoop.snapshot, drives: [], maintenance: MaintenanceStatus(armed: false)))
        perception = try PeriodicLoop(name: "perception", rateHz: config.loops.perception.hz) { tick in
            if case .published = try? perceptionLoop.tick(now: tick.started), let observation = perceptionLoop.output.latest() {
                _ = demand.satisfied(by: observation.frameTimestamp)
            }
        }
        let controlLoop = controller.controlLoop
        let schedulers = controller.busSchedulers
        let maintenanceStatus = gate.maintenanceStatus
        service = try PeriodicLoop(name: "service", rateHz: config.loops.console.hz) { tick in
            for line in transitions.drain() {
                transitionLogger.info("\(line)")
            }
            recorder.takeFinishedAttempt(from: machine)
            view.publish(ConsoleView(
                time: tick.started, stowState: machine.observedState.read().rawValue, control: controlLoop.snapshot,
                drives: schedulers.flatMap { $0.latestReports() }, maintenance: maintenanceStatus.read()))
        }
        if config.loops.control.executor == .realtime {
            controlExecutor = RealtimeLoopExecutor(
                loop: controller.control,
                options: RealtimeLoopExecutor.Options(priority: Int32(config.loops.realtimePriority), cpu: config.loops.controlCPU))
        } else {
            controlExecutor = DispatchLoopExecutor(loops: [controller.control])
        }
        dispatchExecutor = DispatchLoopExecutor(loops: controller.busLoops + [perception, service])
        self.config = config
        self.lines = lines
        self.buses = buses
        self.cell = cell
        self.controller = controller
        self.machine = machine
        self.controlledStop = controlledStop
        self.recorder = recorder
        publishedView = view
    }

    /// The camera of `camera.source: replay`; a live depth camera has no driver yet.
    private static func openCamera(_ camera: CameraConfig) throws -> DepthCamera {
        switch camera.source {
        case .replay:
            guard let directory = camera.replayDirectory else {
                throw HALError(device: "camera0", cause: .invalidRequest("camera.source: replay needs camera.replay_directory"))
            }
            do {
                return try ReplayDepthCamera(directory: directory, clock: SystemClock.shared)
            } catch {
                throw HALError(device: "camera0", cause: .notFound("replay frames in \(directory): \(error)"))
            }
        case .sim:
            throw HALError(device: "camera0", cause: .invalidRequest(
                "camera.source: sim is the simulator's camera; on backend: linux use source: replay (no live depth camera driver yet)"))
        }
    }

    /// Latches the operator stop a restarted service starts with (`StartupHold`).
    func holdAtStart() {
        controller.controlLoop.supervisor.latch(
            .operatorStop, StartupHold.subject, StartupHold.message, hint: StartupHold.hint, now: SystemClock.shared.now())
    }

    /// Starts the loops: buses, perception and service first, so the first control tick has a
    /// bus behind it; then the control loop. Throws `LoopExecutorError` (nothing keeps running).
    func start() throws {
        try dispatchExecutor.start()
        do {
            try controlExecutor.start()
        } catch {
            dispatchExecutor.stop()
            throw error
        }
        logger.notice("control loop: \(controlExecutor.executorDescription)")
    }

    /// The executor descriptions for `status` and the real-time report.
    var realtimeStatus: RealtimeExecutorStatus? { (controlExecutor as? RealtimeLoopExecutor)?.status }

    /// The controlled stop, then every loop stopped, the interrupted attempt journaled, the
    /// lines released at their safe values and the ports closed. Call once, after `start()`.
    func shutDown(reason: String) -> ShutdownReport {
        controlledStop.requestStop()
        let limit = MonotonicInstant.now().adding(nanoseconds: controlledStop.quickStopTimeoutNanoseconds + 1_000_000_000)
        while !controlledStop.isStopped, MonotonicInstant.now() < limit {
            usleep(10_000)
        }
        // Two bus cycles more, so every drive has received its disable command.
        let busCycleSeconds = 1 / (config.buses.map(\.pollHz).min() ?? 10)
        usleep(useconds_t(2 * busCycleSeconds * 1e6) + 20_000)
        controlExecutor.stop()
        dispatchExecutor.stop()
        queue.drainIfAvailable { _ in .refused("the controller is stopping") }
        recorder.takeFinishedAttempt(from: machine)
        let interrupted = machine.closeInterruptedAttempt(now: SystemClock.shared.now(), cause: "interrupted: \(reason)")
        let journalProblem = interrupted.flatMap { recorder.recordInterrupted($0) }
        let levels = lines.outputLevels()
        let drives = controller.busSchedulers.flatMap { $0.latestReports() }.map { report in
            (report.name, report.feedback.flatMap { CiA402State(statusword: $0.statusword) }?.name ?? "no answer",
             report.feedback?.velocityMMPerS ?? 0)
        }
        let releaseFailures = lines.close()
        cell.close()
        buses.close()
        for failure in releaseFailures {
            logger.error("output not set to its safe value at release: \(failure)")
        }
        return ShutdownReport(
            reason: reason, stopCompleted: controlledStop.isStopped,
            outputs: levels.map { ($0.name, $0.value ?? !$0.safe, $0.safe) },
            drives: drives, interruptedAttempt: interrupted.map { "#\($0.attemptIndex) item \($0.itemID): \($0.cause)" },
            journalProblem: journalProblem ?? recorder.failure)
    }
}
