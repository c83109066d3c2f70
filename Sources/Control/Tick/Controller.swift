import Config
import HAL

/// The controller put together from HAL devices and the robot config: one bus scheduler per
/// bus, the control loop, and the periodic loops that run them. The same for hardware and the
/// simulator; stowctl hands in the devices and picks the executors.
public final class Controller {
    public let controlLoop: ControlLoop
    public let busSchedulers: [BusScheduler]
    /// The control tick, at `loops.control.hz`, faulting on consecutive overruns as configured.
    public let control: PeriodicLoop
    /// One per bus at its `poll_hz`, each running one cycle of its scheduler per tick.
    public let busLoops: [PeriodicLoop]

    /// `drives` pairs each configured drive with its device. Throws `HALError` for a missing
    /// line or drive.
    /// `extraVirtualTime`, for the simulator, says how much longer (in virtual time) each
    /// control tick takes: the `slow-tick` fault.
    public init(
        config: RobotConfig, inputs: [DigitalInput], outputs: [DigitalOutput], drives: [(config: DriveConfig, device: MotorDrive)],
        clock: MonotonicClock, application: ControlApplication, extraVirtualTime: (@Sendable () -> UInt64)? = nil
    ) throws {
        func line<T>(_ name: String, in devices: [T], named: (T) -> String) throws -> T {
            guard let device = devices.first(where: { named($0) == name }) else {
                throw HALError(device: "control", cause: .invalidRequest("no device for signal \(name)"))
            }
            return device
        }
        let orderedInputs = try EOATInputs.signalNames.map { name in try line(name, in: inputs) { $0.name } }
        let orderedOutputs = try EOATOutputs.signalNames.map { name in try line(name, in: outputs) { $0.name } }

        var schedulers: [BusScheduler] = []
        var busLoops: [PeriodicLoop] = []
        var channels: [DriveRole: DriveChannel] = [:]
        for bus in config.buses {
            let name = bus.name
            let onBus = drives.filter { $0.config.bus == name }
            guard !onBus.isEmpty else { continue }
            let scheduler = try BusScheduler(
                busName: name, drives: onBus.map(\.device),
                options: .init(cycleRateHz: bus.pollHz, faultAfterFailedCycles: config.safety.driveCommWatchdogCycles),
                clock: clock)
            for (index, drive) in onBus.enumerated() {
                channels[drive.config.role] = DriveChannel(scheduler: scheduler, index: index)
            }
            schedulers.append(scheduler)
            busLoops.append(try PeriodicLoop(name: name, rateHz: bus.pollHz, overrunPolicy: .skip) { _ in scheduler.runCycle() })
        }
        func channel(_ role: DriveRole) throws -> DriveChannel {
            guard let channel = channels[role] else {
                throw HALError(device: "control", cause: .invalidRequest("no drive with role \(role.rawValue)"))
            }
            return channel
        }
        let supervisor = SafetySupervisor(limits: SafetySupervisor.Limits(config: config), start: clock.now())
        let loop = try ControlLoop(
            inputs: orderedInputs, outputs: orderedOutputs,
            drives: PerDrive(jaw: try channel(.jaw), leftBelt: try channel(.leftBelt), rightBelt: try channel(.rightBelt),
                             plank: try channel(.plank)),
            supervisor: supervisor, application: application)
        let rate = config.loops.control
        let policy: OverrunPolicy = rate.overrun == .fault ? .faultAfterConsecutive(rate.overrunLimit) : .skip
        control = try PeriodicLoop(name: "control", rateHz: rate.hz, overrunPolicy: policy) { tick in
            loop.tick(now: tick.started)
            if let extraVirtualTime {
                tick.virtualExecutionNanoseconds = extraVirtualTime()
            }
        }
        loop.watch([control])
        if let watchdog = config.safety.linuxWatchdog {
            loop.watchdog = try LinuxWatchdog(path: watchdog.device, timeoutSeconds: watchdog.timeoutS)
        }
        controlLoop = loop
        busSchedulers = schedulers
        self.busLoops = busLoops
    }
}
