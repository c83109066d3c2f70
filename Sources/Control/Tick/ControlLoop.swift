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

// Methods, not field accesses in the tick: a method borrows the stored channels, where
// `drives.jaw.scheduler` in the tick copied all four (and released them after: 4 % of it).
extension PerDrive where Value == DriveChannel {
    /// Each drive's newest report.
    func latestReports() -> PerDrive<DriveReport?> {
        PerDrive<DriveReport?>(
            jaw: jaw.scheduler.latest(driveAt: jaw.index),
            leftBelt: leftBelt.scheduler.latest(driveAt: leftBelt.index),
            rightBelt: rightBelt.scheduler.latest(driveAt: rightBelt.index),
            plank: plank.scheduler.latest(driveAt: plank.index))
    }

    /// Posts each drive's setpoint for its bus's next cycle.
    func post(_ setpoints: PerDrive<DriveSetpoint>) {
        jaw.scheduler.post(setpoints.jaw, toDriveAt: jaw.index)
        leftBelt.scheduler.post(setpoints.leftBelt, toDriveAt: leftBelt.index)
        rightBelt.scheduler.post(setpoints.rightBelt, toDriveAt: rightBelt.index)
        plank.scheduler.post(setpoints.plank, toDriveAt: plank.index)
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
    private let inputLines: EOATInputLines
    private let outputLines: EOATOutputLines
    private let drives: PerDrive<DriveChannel>
    private let application: ControlApplication
    /// Overrun latches of the watched loops, with the fault subject each one latches as.
    private var watched: [(subject: String, latch: LoopOverrunLatch)] = []
    /// Fed every tick while the loop runs (`safety.linux_watchdog`).
    public var watchdog: LinuxWatchdog?
    private let snapshotCell: LatestValue<ControlSnapshot>

    /// What one tick leaves for the next: the lines as last read and written, the setpoints as
    /// last posted. One stored value, so a tick reads and stores it once: every access to a
    /// stored property is an exclusivity check of its own, and they were a tenth of the tick.
    private struct Lines {
        var inputs = EOATInputs()
        var outputs = EOATOutputs()
        var setpoints = PerDrive<DriveSetpoint>(all: .disabled)
    }
    private var lines = Lines()

    /// `inputs` and `outputs` must be the EOAT's lines in `EOATInputs.signalNames` and
    /// `EOATOutputs.signalNames` order; throws `HALError` naming the first one out of place.
    public init(
        inputs: [DigitalInput], outputs: [DigitalOutput], drives: PerDrive<DriveChannel>,
        supervisor: SafetySupervisor, application: ControlApplication
    ) throws {
        inputLines = try EOATInputLines(inputs)
        outputLines = try EOATOutputLines(outputs)
        self.drives = drives
        self.supervisor = supervisor
        self.application = application
        snapshotCell = LatestValue(ControlSnapshot(time: MonotonicInstant(nanoseconds: 0), inputs: EOATInputs(),
                                                   outputs: EOATOutputs(), faults: []))
    }

    /// Loops whose latched overrun fault becomes a safety fault (the control loop itself first).
    /// A reset of the supervisor's faults clears these loops' latches too, so a loop back on
    /// time lets the EOAT run again; one still overrunning latches again.
    public func watch(_ loops: [PeriodicLoop]) {
        watched = loops.map { (subject: "loop.\($0.name)", latch: $0.overrunLatch) }
    }

    /// The newest snapshot. Never waits.
    public var snapshot: ControlSnapshot { snapshotCell.read() }

    /// One control tick at `now`.
    public func tick(now: MonotonicInstant) {
        var lines = self.lines
        defer { self.lines = lines }
        readInputs(into: &lines.inputs, now: now)
        // A local, not a property: a property passed to supervise and step is copied for each call.
        let reports = drives.latestReports()

        supervisor.supervise(inputs: lines.inputs, drives: reports, now: now)
        // By index: `for (subject, latch) in watched` allocated in a debug build (the
        // allocation spec caught it).
        for index in watched.indices where watched[index].latch.isLatched {
            if supervisor.resetting(now) {
                watched[index].latch.clear()
            } else if let fault = watched[index].latch.fault {
                supervisor.latch(.loopOverrun, watched[index].subject, "\(fault)", hint: "see show loops; reduce load or rate",
                                 now: now)
            }
        }
        application.step(now: now, inputs: lines.inputs, drives: reports, safeStopped: supervisor.isSafeStopped,
                         outputs: &lines.outputs, setpoints: &lines.setpoints)
        supervisor.enforce(outputs: &lines.outputs, drives: &lines.setpoints, now: now)

        writeOutputs(lines.outputs, now: now)
        drives.post(lines.setpoints)
        snapshotCell.publish(ControlSnapshot(time: now, inputs: lines.inputs, outputs: lines.outputs, faults: supervisor.faults))
        if let watchdog, !watchdog.feed(now: now) {
            supervisor.latch(.outputWrite, watchdog.path, "watchdog keep-alive write failed", hint: "check the watchdog device", now: now)
        }
    }

    /// Reads every input line. A line that cannot be read latches `input-read` and keeps its
    /// previous value, except the e-stop: an unreadable e-stop reads as pressed.
    private func readInputs(into inputs: inout EOATInputs, now: MonotonicInstant) {
        inputs.estop = read(inputLines.estop, index: 0, now: now) ?? true
        inputs.itemInJaw = read(inputLines.itemInJaw, index: 1, now: now) ?? inputs.itemInJaw
        inputs.itemAtInduct = read(inputLines.itemAtInduct, index: 2, now: now) ?? inputs.itemAtInduct
        inputs.plankHome = read(inputLines.plankHome, index: 3, now: now) ?? inputs.plankHome
        inputs.plankExtended = read(inputLines.plankExtended, index: 4, now: now) ?? inputs.plankExtended
        inputs.jawOpen = read(inputLines.jawOpen, index: 5, now: now) ?? inputs.jawOpen
        inputs.bandSeparatorDeployed = read(inputLines.bandSeparatorDeployed, index: 6, now: now) ?? inputs.bandSeparatorDeployed
        inputs.armInPosition = read(inputLines.armInPosition, index: 7, now: now) ?? inputs.armInPosition
    }

    /// Writes every output line; one that cannot be written latches `output-write`.
    private func writeOutputs(_ outputs: EOATOutputs, now: MonotonicInstant) {
        write(outputs.bandSeparatorSolenoid, to: outputLines.bandSeparatorSolenoid, index: 0, now: now)
        write(outputs.driveEnable, to: outputLines.driveEnable, index: 1, now: now)
        write(outputs.towerLightRed, to: outputLines.towerLightRed, index: 2, now: now)
        write(outputs.towerLightAmber, to: outputLines.towerLightAmber, index: 3, now: now)
        write(outputs.towerLightGreen, to: outputLines.towerLightGreen, index: 4, now: now)
        write(outputs.ready, to: outputLines.ready, index: 5, now: now)
        write(outputs.done, to: outputLines.done, index: 6, now: now)
    }

    /// The line's value, or nil (and `input-read` latched) when it cannot be read.
    private func read(_ line: DigitalInput, index: Int, now: MonotonicInstant) -> Bool? {
        do {
            return try line.read()
        } catch {
            supervisor.latch(.inputRead, EOATInputs.signalNames[index], "\(error)", hint: "check the GPIO chip and wiring", now: now)
            return nil
        }
    }

    private func write(_ value: Bool, to line: DigitalOutput, index: Int, now: MonotonicInstant) {
        do {
            try line.write(value)
        } catch {
            supervisor.latch(.outputWrite, EOATOutputs.signalNames[index], "\(error)", hint: "check the GPIO chip and wiring", now: now)
        }
    }
}
