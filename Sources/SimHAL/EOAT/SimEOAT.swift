import Config
import HAL

/// The whole simulated end effector behind the HAL contracts, built from a robot config with
/// `backend: sim`: input and output lines, each drive bus (a real Modbus RTU exchange over an
/// in-memory link to simulated CiA 402 drives), the depth camera, the arm and the induct.
/// stowctl hands these to the controller exactly as it hands over the Linux backends.
///
/// Not thread-safe: one thread steps it and calls its devices (the virtual-time executor runs
/// every loop on one thread), hence `@unchecked Sendable`.
///
/// Time is virtual: `advanceToClock()` steps the world in 1 ms steps up to the clock's instant; the
/// owner moves the clock (the virtual-time executor, or a paced loop for real-time sessions).
public final class SimEOAT: @unchecked Sendable {
    public static let stepNanoseconds: UInt64 = 1_000_000

    public let world: SimWorld
    public let clock: ManualClock
    public let inputs: [SimInput]
    public let outputs: [SimOutput]
    /// One per bus in config, by bus name.
    public let buses: [String: SimModbusBus]
    public let camera: SimDepthCamera
    public let arm: SimArmLink
    public let induct: SimInductStation
    public let faults: SimFaultInjector
    private let lineFaults: SimLineFaults

    /// Throws `HALError` naming the config file and line when the config has no sim section or a
    /// fault line is not valid for this robot.
    public init(config: RobotConfig, clock: ManualClock) throws {
        guard let sim = config.sim else {
            throw HALError(device: "sim", cause: .invalidRequest("\(config.file) has no sim section; add one or use backend: linux"))
        }
        self.clock = clock
        let world = try SimWorld(config: config, start: clock.now())
        let lineFaults = SimLineFaults(seed: sim.seed)
        self.world = world
        self.lineFaults = lineFaults
        inputs = SimInputSignal.allCases.map { SimInput(signal: $0, world: world, faults: lineFaults) }
        outputs = SimOutputSignal.allCases.map { signal in
            SimOutput(signal: signal, safeValue: config.gpio.output(signal.rawValue)?.safeValue ?? false, world: world)
        }
        var buses: [String: SimModbusBus] = [:]
        for (index, name) in Set(config.drives.map(\.bus)).sorted().enumerated() {
            var units: [UInt8: SimDrive] = [:]
            for drive in config.drives where drive.bus == name {
                units[UInt8(drive.unit)] = world.drives.drive(drive.role)
            }
            buses[name] = SimModbusBus(name: name, drives: units, seed: sim.seed &+ UInt64(index))
        }
        self.buses = buses
        camera = SimDepthCamera(world: world, camera: config.camera, noiseMM: sim.cameraNoiseMM,
                                dropoutShare: sim.cameraDropoutShare, seed: sim.seed, clock: clock)
        arm = SimArmLink(world: world)
        induct = SimInductStation(world: world)
        faults = SimFaultInjector(world: world, lines: lineFaults, camera: camera, buses: buses.mapValues(\.link))
        for line in sim.faults {
            do {
                try faults.schedule(try SimFaultSpec.parse(line.text))
            } catch {
                throw HALError(device: "sim", cause: .invalidRequest("\(config.file):\(line.location): \(error)"))
            }
        }
        for bus in buses.values {
            bus.link.onFaultEvent = { [world] event in
                world.record(event.phase == .started ? .faultStarted : .faultEnded, event.link, event.detail)
            }
        }
    }

    /// Steps the world up to the clock's current instant.
    public func advanceToClock() {
        let target = clock.now()
        while world.time < target {
            world.step(byNanoseconds: min(Self.stepNanoseconds, world.time.nanoseconds(until: target)))
            faults.update()
        }
    }

    public func input(named name: String) -> SimInput? { inputs.first { $0.name == name } }
    public func output(named name: String) -> SimOutput? { outputs.first { $0.name == name } }
}

/// The simulated arm's controller, answering pose requests.
public final class SimArmLink: ArmLink {
    public let name = "arm"
    private let world: SimWorld

    init(world: SimWorld) { self.world = world }

    public func requestMove(to pose: ArmPose) throws {
        try world.requestArmMove(to: pose)
    }
}

/// The simulated induct: the catalog entry of the item waiting there or held in the jaws.
public final class SimInductStation: InductStation {
    public let name = "induct"
    private let world: SimWorld

    init(world: SimWorld) { self.world = world }

    public func currentItem() throws -> ItemCatalogEntry? {
        world.held?.catalog ?? world.inductItem?.catalog
    }
}
