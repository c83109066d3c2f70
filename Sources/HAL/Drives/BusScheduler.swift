// The cyclic exchange of every drive on one bus. Written by hand with the Modbus CiA 402 drive (no
// Swift Modbus or CiA 402 package is available to this project).
import Dispatch
import Foundation
import Synchronization

/// What the bus loop knows about one drive after its latest cycle.
public struct DriveReport: Sendable {
    /// The drive's name from config (`plank`).
    public var name: String
    /// `bus0.drive.plank`.
    public var signalName: String
    /// The newest good feedback; nil until the first exchange succeeds.
    public var feedback: DriveFeedback?
    /// When `feedback` was read (end of its exchange), on CLOCK_MONOTONIC. Readers judge
    /// staleness from this, never from when they happened to look.
    public var feedbackTimestamp: MonotonicInstant?
    /// Cycles in a row whose exchange failed; 0 after a good one.
    public var consecutiveFailures: Int
    /// The error of the latest failed exchange (kept after recovery, for diagnosis).
    public var lastError: HALError?
    /// Set while `consecutiveFailures` is at or above the scheduler's limit, cleared by the next
    /// good exchange. Latching it is the safety supervisor's job.
    public var fault: DriveCommFault?
    public var exchanges: UInt64
    public var failedExchanges: UInt64
}

/// A drive that stopped answering: the named fault the supervisor raises.
public struct DriveCommFault: Error, Equatable, Sendable, CustomStringConvertible {
    public var signalName: String
    public var failedCycles: Int
    public var lastError: HALError?

    /// `bus0.drive.plank: no answer for 5 cycles (check wiring, unit id, baud); last error: ...`
    public var description: String {
        var text = "\(signalName): no answer for \(failedCycles) cycles (check wiring, unit id, baud)"
        if let lastError {
            text += "; last error: \(lastError.cause)"
        }
        return text
    }
}

/// Timing of the bus loop itself.
public struct BusCycleStatistics: Equatable, Sendable {
    public var cycles: UInt64 = 0
    /// Cycles that took longer than the period (the rate is too high for the drives and baud).
    public var overruns: UInt64 = 0
    public var lastCycleNanoseconds: UInt64 = 0
    public var maxCycleNanoseconds: UInt64 = 0
}

/// Runs `exchange` for every drive on one bus at a fixed rate: on its own serial DispatchQueue
/// after `start()`, or one cycle per `runCycle()` call when another loop (the virtual-time
/// executor) drives it.
///
/// The controller and the bus never wait for each other: setpoints go to the bus and reports
/// come back through `LatestValue` cells, one per drive, which neither side locks. Each drive
/// gets an equal slice of the period as its deadline, so one dead drive costs its own slice and
/// the others keep their rate. Timestamps and deadlines come from the given clock, so the same
/// scheduler runs on CLOCK_MONOTONIC and in virtual time.
///
/// The drives (and the Modbus client behind them) are touched only by the cycle: on the
/// scheduler's queue once `start()` is called, or by whoever calls `runCycle()`. Do not call
/// them from elsewhere until `stop()` returns, and do not mix `start()` with `runCycle()`.
public final class BusScheduler: @unchecked Sendable {
    public struct Options: Sendable {
        public var cycleRateHz: Double
        /// Consecutive failed cycles after which a drive reports `DriveCommFault`.
        public var faultAfterFailedCycles: Int
        /// Sent to a drive until the controller posts one: "disable voltage", power stage off.
        public var initialSetpoint: DriveSetpoint
        /// When set, a setpoint older than this is sent with the quick-stop controlword instead:
        /// the bus loop's own dead-man should the controller stop posting. nil = off.
        public var setpointMaxAgeMilliseconds: Double?

        public init(
            cycleRateHz: Double = 20, faultAfterFailedCycles: Int = 3,
            initialSetpoint: DriveSetpoint = DriveSetpoint(controlword: CiA402Controlword.disableVoltage.rawValue, mode: .profilePosition),
            setpointMaxAgeMilliseconds: Double? = nil
        ) {
            self.cycleRateHz = cycleRateHz
            self.faultAfterFailedCycles = faultAfterFailedCycles
            self.initialSetpoint = initialSetpoint
            self.setpointMaxAgeMilliseconds = setpointMaxAgeMilliseconds
        }
    }

    /// `bus0`.
    public let busName: String
    public let options: Options
    public let driveNames: [String]
    /// One cycle's period: `1 / cycleRateHz`. A loop that calls `runCycle()` uses it.
    public let cyclePeriodNanoseconds: UInt64
    /// Where timestamps and deadlines come from.
    public let clock: MonotonicClock

    private let drives: [MotorDrive]
    private let queue: DispatchQueue

    // The handoff cells: written by the cycle (reports, statistics) or the controller
    // (setpoints), read by the other side without locks.
    private let reportCells: [LatestValue<DriveReport>]
    private let setpointCells: [LatestValue<PostedSetpoint>]
    private let statisticsCell = LatestValue(BusCycleStatistics())

    // Touched only by the cycle in progress.
    private var workingReports: [DriveReport]
    private var workingStatistics = BusCycleStatistics()
    private let cycleInProgress = Atomic<Bool>(false)

    // Guarded by `timerLock`; start and stop only, never the cycle.
    private let timerLock = NSLock()
    private var timer: DispatchSourceTimer?

    /// Throws `HALError` (`.invalidRequest`) for a rate that is not positive, a fault limit
    /// below 1, no drives, or two drives with one name.
    public init(
        busName: String, drives: [MotorDrive], options: Options = Options(),
        clock: MonotonicClock = SystemClock.shared
    ) throws {
        let names = drives.map(\.name)
        guard options.cycleRateHz > 0, options.cycleRateHz.isFinite else {
            throw HALError(device: busName, cause: .invalidRequest("cycle rate \(options.cycleRateHz) Hz must be positive"))
        }
        guard options.faultAfterFailedCycles >= 1 else {
            throw HALError(device: busName, cause: .invalidRequest("fault limit must be at least 1 cycle"))
        }
        guard !drives.isEmpty else {
            throw HALError(device: busName, cause: .invalidRequest("a bus scheduler needs at least one drive"))
        }
        guard Set(names).count == names.count else {
            throw HALError(device: busName, cause: .invalidRequest("two drives share a name: \(names)"))
        }
        self.busName = busName
        self.options = options
        self.driveNames = names
        self.drives = drives
        self.clock = clock
        self.cyclePeriodNanoseconds = UInt64(1_000_000_000 / options.cycleRateHz)
        self.queue = DispatchQueue(label: "stow.\(busName).scheduler", qos: .userInteractive)
        let initialReports = names.map { name in
            DriveReport(
                name: name, signalName: "\(busName).drive.\(name)", feedback: nil, feedbackTimestamp: nil,
                consecutiveFailures: 0, lastError: nil, fault: nil, exchanges: 0, failedExchanges: 0)
        }
        self.workingReports = initialReports
        self.reportCells = initialReports.map { LatestValue($0) }
        self.setpointCells = names.map { _ in LatestValue(PostedSetpoint(setpoint: options.initialSetpoint, postedAt: nil)) }
    }

    deinit {
        timer?.cancel()
    }

    /// Starts the cyclic exchange on the scheduler's own queue. Does nothing if already running.
    public func start() {
        timerLock.lock()
        defer { timerLock.unlock() }
        guard timer == nil else { return }
        let newTimer = DispatchSource.makeTimerSource(queue: queue)
        newTimer.schedule(
            deadline: .now(), repeating: .nanoseconds(Int(cyclePeriodNanoseconds)), leeway: .microseconds(200))
        newTimer.setEventHandler { [weak self] in
            self?.runCycle()
        }
        timer = newTimer
        newTimer.resume()
    }

    /// Stops the exchange and returns once no cycle is running. Must not be called on the
    /// scheduler's own queue.
    public func stop() {
        timerLock.lock()
        let running = timer
        timer = nil
        timerLock.unlock()
        running?.cancel()
        // Cancelling does not interrupt a cycle in progress; wait for it to end.
        queue.sync {}
    }

    /// Posts the setpoint the next cycles send to the drive named `driveName`. Never blocks.
    /// Throws `.invalidRequest` for a name not on this bus.
    public func post(_ setpoint: DriveSetpoint, to driveName: String) throws {
        guard let index = driveNames.firstIndex(of: driveName) else {
            throw HALError(device: busName, cause: .invalidRequest("no drive named \(driveName) on \(busName)"))
        }
        post(setpoint, toDriveAt: index)
    }

    /// Posts by position in `driveNames`: the control tick's way, with no name lookup.
    public func post(_ setpoint: DriveSetpoint, toDriveAt index: Int) {
        setpointCells[index].publish(PostedSetpoint(setpoint: setpoint, postedAt: clock.now()))
    }

    /// The setpoint the controller posted last for the drive at `index` in `driveNames`: what
    /// the next cycle sends (as quick stop once older than `setpointMaxAgeMilliseconds`, when set).
    /// Never blocks; for checks such as the fault matrix's "drives quick-stopped".
    public func postedSetpoint(driveAt index: Int) -> DriveSetpoint {
        setpointCells[index].read().setpoint
    }

    /// The newest report of the drive named `driveName`, or nil for a name not on this bus.
    /// Never blocks.
    public func latest(_ driveName: String) -> DriveReport? {
        guard let index = driveNames.firstIndex(of: driveName) else { return nil }
        return reportCells[index].read()
    }

    /// The newest report of the drive at `index` in `driveNames`. Never blocks.
    public func latest(driveAt index: Int) -> DriveReport {
        reportCells[index].read()
    }

    /// The newest reports of all drives, in the order the drives were given.
    public func latestReports() -> [DriveReport] {
        reportCells.map { $0.read() }
    }

    public var cycleTiming: BusCycleStatistics {
        statisticsCell.read()
    }

    /// One cycle: every drive once, each within its slice of the period. The timer calls this
    /// after `start()`; a virtual-time loop calls it instead of starting the timer. Cycles must
    /// not overlap (one caller at a time).
    public func runCycle() {
        let wasRunning = cycleInProgress.exchange(true, ordering: .acquiring)
        precondition(!wasRunning, "\(busName): runCycle called while a cycle was running (mixing start() and runCycle()?)")
        defer { cycleInProgress.store(false, ordering: .releasing) }

        let cycleStart = clock.now()
        let sliceNanoseconds = cyclePeriodNanoseconds / UInt64(drives.count)

        for index in drives.indices {
            let setpoint = setpointToSend(index: index, now: clock.now())
            let deadline = cycleStart.adding(nanoseconds: sliceNanoseconds * UInt64(index + 1))
            do {
                let feedback = try drives[index].exchange(setpoint, deadline: deadline)
                workingReports[index].feedback = feedback
                workingReports[index].feedbackTimestamp = clock.now()
                workingReports[index].consecutiveFailures = 0
                workingReports[index].fault = nil
                workingReports[index].exchanges += 1
            } catch {
                recordFailure(index: index, error: error)
            }
            reportCells[index].publish(workingReports[index])
        }

        let elapsed = cycleStart.nanoseconds(until: clock.now())
        workingStatistics.cycles += 1
        workingStatistics.lastCycleNanoseconds = elapsed
        workingStatistics.maxCycleNanoseconds = max(workingStatistics.maxCycleNanoseconds, elapsed)
        if elapsed > cyclePeriodNanoseconds {
            workingStatistics.overruns += 1
        }
        statisticsCell.publish(workingStatistics)
    }

    // MARK: - Private helpers

    /// A setpoint and when the controller posted it (nil: the initial one).
    private struct PostedSetpoint: Sendable {
        var setpoint: DriveSetpoint
        var postedAt: MonotonicInstant?
    }

    private func recordFailure(index: Int, error: Error) {
        let signalName = workingReports[index].signalName
        let halError = error as? HALError
            ?? HALError(device: signalName, cause: .invalidRequest(String(describing: error)))
        workingReports[index].exchanges += 1
        workingReports[index].failedExchanges += 1
        workingReports[index].consecutiveFailures += 1
        workingReports[index].lastError = halError
        let failures = workingReports[index].consecutiveFailures
        if failures >= options.faultAfterFailedCycles {
            workingReports[index].fault = DriveCommFault(signalName: signalName, failedCycles: failures, lastError: halError)
        }
    }

    /// The posted setpoint, or its quick-stop version when the controller has gone quiet.
    private func setpointToSend(index: Int, now: MonotonicInstant) -> DriveSetpoint {
        let posted = setpointCells[index].read()
        guard let maxAge = options.setpointMaxAgeMilliseconds, let postedAt = posted.postedAt else {
            return posted.setpoint
        }
        let ageNanoseconds = postedAt.nanoseconds(until: now)
        guard Double(ageNanoseconds) > maxAge * 1_000_000 else {
            return posted.setpoint
        }
        var stopped = posted.setpoint
        stopped.controlword = CiA402Controlword.quickStop.rawValue
        return stopped
    }
}
