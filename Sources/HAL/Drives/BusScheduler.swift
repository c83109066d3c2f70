// The cyclic exchange of every drive on one bus. Written by hand with the Modbus CiA 402 drive (no
// Swift Modbus or CiA 402 package is available to this project).
import Dispatch
import Foundation

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

/// Runs `exchange` for every drive on one bus at a fixed rate, on its own serial DispatchQueue.
///
/// The controller and the bus never wait for each other: the controller posts setpoints into
/// per-drive slots and takes the newest `DriveReport`s out of others; both sides hold the lock
/// only to copy a value. Each drive gets an equal slice of the period as its deadline, so one
/// dead drive costs its own slice and the others keep their rate.
///
/// The drives (and the Modbus client behind them) are touched only on the scheduler's queue
/// once `start()` is called; do not call them from elsewhere until `stop()` returns.
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

    private let drives: [MotorDrive]
    private let periodNanoseconds: UInt64
    private let queue: DispatchQueue

    // Guarded by `lock`.
    private let lock = NSLock()
    private var reports: [DriveReport]
    private var setpoints: [(setpoint: DriveSetpoint, postedAt: MonotonicInstant?)]
    private var cycleStatistics = BusCycleStatistics()
    private var timer: DispatchSourceTimer?

    /// Throws `HALError` (`.invalidRequest`) for a rate that is not positive, a fault limit
    /// below 1, no drives, or two drives with one name.
    public init(busName: String, drives: [MotorDrive], options: Options = Options()) throws {
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
        self.periodNanoseconds = UInt64(1_000_000_000 / options.cycleRateHz)
        self.queue = DispatchQueue(label: "stow.\(busName).scheduler", qos: .userInteractive)
        self.reports = names.map { name in
            DriveReport(
                name: name, signalName: "\(busName).drive.\(name)", feedback: nil, feedbackTimestamp: nil,
                consecutiveFailures: 0, lastError: nil, fault: nil, exchanges: 0, failedExchanges: 0)
        }
        self.setpoints = names.map { _ in (options.initialSetpoint, nil) }
    }

    deinit {
        timer?.cancel()
    }

    /// Starts the cyclic exchange. Does nothing if already running.
    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard timer == nil else { return }
        let newTimer = DispatchSource.makeTimerSource(queue: queue)
        newTimer.schedule(
            deadline: .now(), repeating: .nanoseconds(Int(periodNanoseconds)), leeway: .microseconds(200))
        newTimer.setEventHandler { [weak self] in
            self?.runCycle()
        }
        timer = newTimer
        newTimer.resume()
    }

    /// Stops the exchange and returns once no cycle is running. Must not be called on the
    /// scheduler's own queue.
    public func stop() {
        lock.lock()
        let running = timer
        timer = nil
        lock.unlock()
        running?.cancel()
        // Cancelling does not interrupt a cycle in progress; wait for it to end.
        queue.sync {}
    }

    /// Posts the setpoint the next cycles send to the drive named `driveName`.
    /// Throws `.invalidRequest` for a name not on this bus.
    public func post(_ setpoint: DriveSetpoint, to driveName: String) throws {
        guard let index = driveNames.firstIndex(of: driveName) else {
            throw HALError(device: busName, cause: .invalidRequest("no drive named \(driveName) on \(busName)"))
        }
        let now = MonotonicInstant.now()
        lock.lock()
        defer { lock.unlock() }
        setpoints[index] = (setpoint, now)
    }

    /// The newest report of the drive named `driveName`, or nil for a name not on this bus.
    public func latest(_ driveName: String) -> DriveReport? {
        guard let index = driveNames.firstIndex(of: driveName) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return reports[index]
    }

    /// The newest reports of all drives, in the order the drives were given.
    public func latestReports() -> [DriveReport] {
        lock.lock()
        defer { lock.unlock() }
        return reports
    }

    public var cycleTiming: BusCycleStatistics {
        lock.lock()
        defer { lock.unlock() }
        return cycleStatistics
    }

    // MARK: - Private helpers

    /// One cycle: every drive once, each within its slice of the period. Runs on `queue`.
    private func runCycle() {
        let cycleStart = MonotonicInstant.now()
        let sliceNanoseconds = periodNanoseconds / UInt64(drives.count)

        for (index, drive) in drives.enumerated() {
            let setpoint = setpointToSend(index: index, now: MonotonicInstant.now())
            let deadline = cycleStart.adding(nanoseconds: sliceNanoseconds * UInt64(index + 1))
            do {
                let feedback = try drive.exchange(setpoint, deadline: deadline)
                let readAt = MonotonicInstant.now()
                lock.lock()
                reports[index].feedback = feedback
                reports[index].feedbackTimestamp = readAt
                reports[index].consecutiveFailures = 0
                reports[index].fault = nil
                reports[index].exchanges += 1
                lock.unlock()
            } catch {
                let signalName = reports[index].signalName
                let halError = error as? HALError
                    ?? HALError(device: signalName, cause: .invalidRequest(String(describing: error)))
                lock.lock()
                reports[index].exchanges += 1
                reports[index].failedExchanges += 1
                reports[index].consecutiveFailures += 1
                reports[index].lastError = halError
                let failures = reports[index].consecutiveFailures
                if failures >= options.faultAfterFailedCycles {
                    reports[index].fault = DriveCommFault(signalName: signalName, failedCycles: failures, lastError: halError)
                }
                lock.unlock()
            }
        }

        let elapsed = cycleStart.nanoseconds(until: MonotonicInstant.now())
        lock.lock()
        cycleStatistics.cycles += 1
        cycleStatistics.lastCycleNanoseconds = elapsed
        cycleStatistics.maxCycleNanoseconds = max(cycleStatistics.maxCycleNanoseconds, elapsed)
        if elapsed > periodNanoseconds {
            cycleStatistics.overruns += 1
        }
        lock.unlock()
    }

    /// The posted setpoint, or its quick-stop version when the controller has gone quiet.
    private func setpointToSend(index: Int, now: MonotonicInstant) -> DriveSetpoint {
        lock.lock()
        let (setpoint, postedAt) = setpoints[index]
        lock.unlock()
        guard let maxAge = options.setpointMaxAgeMilliseconds, let postedAt else {
            return setpoint
        }
        let ageNanoseconds = postedAt.nanoseconds(until: now)
        guard Double(ageNanoseconds) > maxAge * 1_000_000 else {
            return setpoint
        }
        var stopped = setpoint
        stopped.controlword = CiA402Controlword.quickStop.rawValue
        return stopped
    }
}
