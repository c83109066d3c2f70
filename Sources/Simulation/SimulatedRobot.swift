import Config
import Control
import HAL
import Perception
import SimHAL

/// The whole robot in simulation: SimHAL behind the HAL contracts, the production controller
/// (bus schedulers, safety supervisor, stow cycle), the perception loop, all stepped in virtual
/// time by one executor. The world loop is declared first, so at any instant the world has moved
/// before the controller looks at it.
///
/// The drive buses run the real Modbus RTU client and CiA 402 drive code over SimHAL's in-memory
/// link (no inter-frame gap: nothing waits in virtual time).
public final class SimulatedRobot {
    public let config: RobotConfig
    public let clock: ManualClock
    public let eoat: SimEOAT
    public let controller: Controller
    public let machine: StowMachine
    public let perceptionLoop: PerceptionLoop
    public let demand: PerceptionDemand
    public let executor: VirtualTimeExecutor
    /// Perception runs only while the stow cycle wants a frame (`demand`): rendering and
    /// processing a frame costs hundreds of control ticks.
    public let perception: PeriodicLoop

    /// `application` wraps the stow cycle in what the controller runs (the console's maintenance
    /// override); by default the controller runs the stow cycle itself.
    public init(
        config: RobotConfig, campaignID: String, firstAttemptIndex: Int = 0,
        pacing: VirtualTimeExecutor.Pacing = .asFastAsPossible,
        application wrap: (StowMachine) -> ControlApplication = { $0 }
    ) throws {
        let clock = ManualClock()
        let eoat = try SimEOAT(config: config, clock: clock)
        var drives: [(config: DriveConfig, device: MotorDrive)] = []
        for driveConfig in config.drives {
            guard let bus = eoat.buses[driveConfig.bus], let busConfig = config.buses.first(where: { $0.name == driveConfig.bus }) else {
                throw HALError(device: "sim", cause: .invalidRequest("drive \(driveConfig.role.rawValue) names bus \(driveConfig.bus), which has no simulated bus"))
            }
            let client = ModbusRTUClient(
                stream: bus.stream, settings: SerialSettings(baud: busConfig.baud),
                options: .init(responseTimeoutMilliseconds: busConfig.responseTimeoutMS, maxRetries: busConfig.retries,
                               interFrameGapNanoseconds: 0),
                busName: bus.name, clock: clock)
            let device = try ModbusCiA402Drive(
                name: driveConfig.role.rawValue, client: client, unit: UInt8(driveConfig.unit),
                scaling: DriveScaling(countsPerMM: driveConfig.countsPerMM, ratedCurrentMilliamps: driveConfig.ratedCurrentMA))
            drives.append((driveConfig, device))
        }
        let demand = PerceptionDemand()
        // Perception is the camera's only reader here, and it looks inside the bin openings only.
        eoat.camera.openingsOnly = true
        let perceptionLoop = PerceptionLoop(camera: eoat.camera, clock: clock)
        let machine = StowMachine(
            config: config,
            environment: StowMachine.Environment(arm: eoat.arm, induct: eoat.induct, perception: perceptionLoop.output,
                                                 perceptionLoop: perceptionLoop, demand: demand),
            campaignID: campaignID, firstAttemptIndex: firstAttemptIndex)
        let faults = eoat.faults
        let controller = try Controller(
            config: config, inputs: eoat.inputs, outputs: eoat.outputs, drives: drives, clock: clock,
            application: wrap(machine), extraVirtualTime: { faults.takeSlowTickNanoseconds() })
        machine.onTransition = { transition in
            if transition.to.phase != nil || transition.from.phase != nil {
                faults.phaseDidChange(to: transition.to.phase)
            }
        }
        let world = try PeriodicLoop(name: "sim-world", periodNanoseconds: SimEOAT.stepNanoseconds, measuresExecution: false) { _ in
            eoat.advanceToClock()
        }
        let perception = try PeriodicLoop(name: "perception", rateHz: config.loops.perception.hz) { tick in
            guard demand.isPending else { return }
            let onlyOpening = demand.onlyOpening
            eoat.camera.onlyBin = onlyOpening
            if case .published = try? perceptionLoop.tick(now: tick.started, onlyOpening: onlyOpening),
               let observation = perceptionLoop.output.latest() {
                _ = demand.satisfied(by: observation.frameTimestamp)
            }
        }
        self.config = config
        self.clock = clock
        self.eoat = eoat
        self.controller = controller
        self.machine = machine
        self.perceptionLoop = perceptionLoop
        self.demand = demand
        self.perception = perception
        executor = try VirtualTimeExecutor(
            clock: clock, loops: [world] + controller.busLoops + [perception, controller.control], pacing: pacing)
    }

    /// Simulated seconds since the start.
    public var simulatedSeconds: Double { Double(clock.now().nanoseconds) / 1e9 }

    /// What a person does with `reset faults` at the console, once the cause is dealt with:
    /// the supervisor clears its faults and fault-resets the drives; the stow cycle leaves its
    /// safe stop when nothing latches again.
    public func resetFaults() {
        controller.controlLoop.supervisor.requestReset(now: clock.now())
        machine.requestReset()
    }
}
