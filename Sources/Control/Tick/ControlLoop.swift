import Config
import HAL

/// Where the control loop reaches one drive: its bus scheduler and its slot there.
public struct DriveChannel: Sendable {
    public let scheduler: BusScheduler
    public let index: Int

    public init(scheduler: BusScheduler, index: Int) {
        self.scheduler = scheduler
        self.index = index
    }
}

/// What the console and status read of the control loop, published every tick without blocking.
public struct ControlSnapshot: Sendable {
    public var time: MonotonicInstant
    public var inputs: EOATInputs
    public var outputs: EOATOutputs
    public var faults: [SafetyFault]
}

/// The control tick's imperative shell: read every input line and the newest drive reports,
/// let the supervisor check them, let the application decide, let the supervisor override, then
/// write every output line and post every setpoint. Runs on whichever executor the loop has.
///
/// Does not allocate, lock or wait in steady state: line I/O is one call per line, drive
/// reports and setpoints go through the bus schedulers' lock-free cells, and the snapshot is
/// published through a `LatestValue`.
public final class ControlLoop: @unchecked Sendable {
    public let supervisor: SafetySupervisor
    private let inputDevices: [DigitalInput]
    private let outputDevices: [DigitalOutput]
    private let drives: PerDrive<DriveChannel>
    private let application: ControlApplication
    /// Held weakly: the control loop's own `PeriodicLoop` is watched, and its body holds this
    /// object, so a strong reference here made a cycle that leaked the whole controller (and a
    /// simulated robot with it), as LeakSanitizer showed at `stowctl console`'s exit.
    private var watchedLoops: [WeakLoop] = []
    private struct WeakLoop {
        weak var loop: PeriodicLoop?
    }
    /// Fed every tick while the loop runs (`safety.linux_watchdog`).
    public var watchdog: LinuxWatchdog?
    private let snapshotCell: LatestValue<ControlSnapshot>

    private var inputs = EOATInputs()
    private var outputs = EOATOutputs()
    private var setpoints = PerDrive<DriveSetpoint>(all: .disabled)

    /// `inputs` and `outputs` must be the EOAT's lines in `EOATInputs.signalNames` and
    /// `EOATOutputs.signalNames` order; throws `HALError` naming the first one out of place.
    public init(
        inputs: [DigitalInput], outputs: [DigitalOutput], drives: PerDrive<DriveChannel>,
        supervisor: SafetySupervisor, application: ControlApplication
    ) throws {
        for (index, name) in EOATInputs.signalNames.enumerated() where index >= inputs.count || inputs[index].name != name {
            throw HALError(device: "control", cause: .invalidRequest("input \(index) must be \(name)"))
        }
        for (index, name) in EOATOutputs.signalNames.enumerated() where index >= outputs.count || outputs[index].name != name {
            throw HALError(device: "control", cause: .invalidRequest("output \(index) must be \(name)"))
        }
        inputDevices = inputs
        outputDevices = outputs
        self.drives = drives
        self.supervisor = supervisor
        self.application = application
        snapshotCell = LatestValue(ControlSnapshot(time: MonotonicInstant(nanoseconds: 0), inputs: EOATInputs(),
                                                   outputs: EOATOutputs(), faults: []))
    }

    /// Loops whose latched overrun fault becomes a safety fault (the control loop itself first).
    public func watch(_ loops: [PeriodicLoop]) {
        watchedLoops = loops.map { WeakLoop(loop: $0) }
    }

    /// The newest snapshot. Never waits.
    public var snapshot: ControlSnapshot { snapshotCell.read() }

    /// One control tick at `now`.
    public func tick(now: MonotonicInstant) {
        readInputs(now: now)
        // A local, not a property: a property passed to supervise and step is copied for each
        // call (four reports with their names and errors: a tenth of the tick).
        let reports = PerDrive<DriveReport?>(
            jaw: drives.jaw.scheduler.latest(driveAt: drives.jaw.index),
            leftBelt: drives.leftBelt.scheduler.latest(driveAt: drives.leftBelt.index),
            rightBelt: drives.rightBelt.scheduler.latest(driveAt: drives.rightBelt.index),
            plank: drives.plank.scheduler.latest(driveAt: drives.plank.index))

        supervisor.supervise(inputs: inputs, drives: reports, now: now)
        for index in watchedLoops.indices {
            guard let loop = watchedLoops[index].loop else { continue }
            if let fault = loop.overrunFault {
                supervisor.latch(.loopOverrun, "loop.\(loop.name)", "\(fault)", hint: "see show loops; reduce load or rate", now: now)
            }
        }
        application.step(now: now, inputs: inputs, drives: reports, safeStopped: supervisor.isSafeStopped,
                         outputs: &outputs, setpoints: &setpoints)
        supervisor.enforce(outputs: &outputs, drives: &setpoints, now: now)

        writeOutputs(now: now)
        drives.jaw.scheduler.post(setpoints.jaw, toDriveAt: drives.jaw.index)
        drives.leftBelt.scheduler.post(setpoints.leftBelt, toDriveAt: drives.leftBelt.index)
        drives.rightBelt.scheduler.post(setpoints.rightBelt, toDriveAt: drives.rightBelt.index)
        drives.plank.scheduler.post(setpoints.plank, toDriveAt: drives.plank.index)
        snapshotCell.publish(ControlSnapshot(time: now, inputs: inputs, outputs: outputs, faults: supervisor.faults))
        if let watchdog, !watchdog.feed(now: now) {
            supervisor.latch(.outputWrite, watchdog.path, "watchdog keep-alive write failed", hint: "check the watchdog device", now: now)
        }
    }

    private func readInputs(now: MonotonicInstant) {
        for index in inputDevices.indices {
            do {
                inputs[index] = try inputDevices[index].read()
            } catch {
                // An unreadable e-stop reads as pressed; any unreadable line stops the EOAT.
                if index == 0 { inputs.estop = true }
                supervisor.latch(.inputRead, EOATInputs.signalNames[index], "\(error)", hint: "check the GPIO chip and wiring", now: now)
            }
        }
    }

    private func writeOutputs(now: MonotonicInstant) {
        for index in outputDevices.indices {
            do {
                try outputDevices[index].write(outputs[index])
            } catch {
                supervisor.latch(.outputWrite, EOATOutputs.signalNames[index], "\(error)", hint: "check the GPIO chip and wiring", now: now)
            }
        }
    }
}
