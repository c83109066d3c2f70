import Config
import Control
import HAL
import SimHAL

/// The production controller on SimHAL in virtual time: the world loop first, then the bus and
/// control loops, all stepped by the virtual-time executor.
final class SimControllerRig {
    let eoat: SimEOAT
    let controller: Controller
    let executor: VirtualTimeExecutor
    let world: PeriodicLoop

    init(faults: [String] = [], application: ControlApplication = HoldApplication(),
         controlBody: ((ControlLoop, inout LoopTick) -> Void)? = nil) throws {
        var config = try RobotConfig.load(path: Self.repositoryRoot + "/firmware-config/sim.yaml")
        config.sim?.faults = faults.map { SimFaultLine(text: $0, location: SourceLocation(line: 0, column: 0)) }
        let clock = ManualClock()
        let eoat = try SimEOAT(config: config, clock: clock)
        var drives: [(config: DriveConfig, device: MotorDrive)] = []
        for driveConfig in config.drives {
            let bus = eoat.buses[driveConfig.bus]!
            let client = ModbusRTUClient(
                stream: bus.stream, settings: SerialSettings(baud: 460_800),
                options: .init(responseTimeoutMilliseconds: 15, maxRetries: 0, interFrameGapNanoseconds: 0),
                busName: bus.name, clock: clock)
            let device = try ModbusCiA402Drive(
                name: driveConfig.role.rawValue, client: client, unit: UInt8(driveConfig.unit),
                scaling: DriveScaling(countsPerMM: driveConfig.countsPerMM, ratedCurrentMilliamps: driveConfig.ratedCurrentMA))
            drives.append((driveConfig, device))
        }
        let controller = try Controller(config: config, inputs: eoat.inputs, outputs: eoat.outputs, drives: drives,
                                        clock: clock, application: application)
        let world = try PeriodicLoop(name: "sim-world", periodNanoseconds: SimEOAT.stepNanoseconds, measuresExecution: false) { _ in
            eoat.advanceToClock()
        }
        self.eoat = eoat
        self.controller = controller
        self.world = world
        executor = try VirtualTimeExecutor(clock: clock, loops: [world] + controller.busLoops + [controller.control])
    }

    func run(ms: Int) {
        executor.run(forNanoseconds: UInt64(ms) * 1_000_000)
    }

    var faults: [SafetyFault] { controller.controlLoop.supervisor.faults }

    static var repositoryRoot: String {
        var path = #filePath
        for _ in 0..<4 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }
}
