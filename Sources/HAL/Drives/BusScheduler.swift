// The cyclic exchange of every drive on one bus. Written by hand with the Modbus CiA 402 drive (no
// Swift Modbus or CiA 402 package is available to this project).
import Dispatch
import Foundation
import Synchronization

/// What the bus loop knows about one drive after its latest cycle.
///
/// The control tick reads four of these every millisecond, so a report is plain data, copied
/// without touching a reference count: the drive's names and its errors live in a record of the
/// drive (`DriveIdentity`), and the report holds an unmanaged pointer to it and the position of
/// its last error there.
public struct DriveReport: Sendable {
    /// The drive's name from config (`plank`).
    public var name: String { identity.name }
    /// `bus0.drive.plank`.
    public var signalName: String { identity.signalName }
    /// The newest good feedback; nil until the first exchange succeeds.
    public var feedback: DriveFeedback?
    /// When `feedback` was read (end of its exchange), on CLOCK_MONOTONIC. Readers judge
    /// staleness from this, never from when they happened to look.
    public var feedbackTimestamp: MonotonicInstant?
    /// Cycles in a row whose exchange failed; 0 after a good one.
    public var consecutiveFailures: Int
    /// The error of the latest failed exchange (kept after recovery, for diagnosis).
    public var lastError: HALError? {
        lastErrorPosition < 0 ? nil : identity.error(at: lastErrorPosition)
    }
    /// Set while `consecutiveFailures` is at or above the scheduler's limit, cleared by the next
    /// good exchange. Latching it is the safety supervisor's job.
    ///
    /// Inlinable, so the supervisor's check every tick is a compare where the fault is absent.
    @inlinable
    public var fault: DriveCommFault? {
        guard faultFailedCycles > 0 else { return nil }
        return makeFault()
    }
    public var exchanges: UInt64
    public var failedExchanges: UInt64

    @usableFromInline let identity: DriveIdentity
    /// Where `lastError` is in the drive's record; -1 until an exchange fails.
    @usableFromInline private(set) var lastErrorPosition: Int
    /// `fault`'s cycle count, 0 when there is no fault. The supervisor checks this every tick:
    /// building `fault` reads the last error, which takes the drive record's lock, and the
    /// control thread takes no lock a lower-priority thread may hold.
    public private(set) var faultFailedCycles: Int

    init(identity: DriveIdentity) {
        self.identity = identity
        feedback = nil
        feedbackTimestamp = nil
        consecutiveFailures = 0
        exchanges = 0
        failedExchanges = 0
        lastErrorPosition = -1
        faultFailedCycles = 0
    }

    @usableFromInline
    func makeFault() -> DriveCommFault {
        DriveCommFault(signalName: signalName, failedCycles: faultFailedCycles, lastError: lastError)
    }

    /// A good exchange: new feedback, failures and fault cleared.
    mutating func recordSuccess(_ feedback: DriveFeedback, at timestamp: MonotonicInstant) {
        self.feedback = feedback
        feedbackTimestamp = timestamp
        consecutiveFailures = 0
        faultFailedCycles = 0
        exchanges += 1
    }

    /// A failed exchange; a fault from `faultAfterFailedCycles` failures in a row on.
    mutating func recordFailure(_ error: HALError, faultAfterFailedCycles: Int) {
        exchanges += 1
        failedExchanges += 1
        consecutiveFailures += 1
        lastErrorPosition = identity.position(recording: error)
        if consecutiveFailures >= faultAfterFailedCycles {
            faultFailedCycles = consecutiveFailures
        }
    }
}

/// One drive of one scheduler, as reports name it: a reference to the drive's record that
/// copies without reference counting.
///
/// The record holds the drive's names and every different error it has reported, so a report
/// carries a pointer and an integer instead of strings and an error: a plain-data copy, which
/// made a simulated campaign a fifth faster than a report holding a reference. `BusScheduler.init`
/// makes one per drive, and a process-wide list keeps it for good: a report may outlive its
/// scheduler, and a process makes a handful of schedulers (one per bus; a test or a fault matrix
/// a few hundred, a few hundred bytes each). A record keeps at most `maxErrors` errors; a drive that fails in more different
/// ways than that keeps its latest further error in the last place, where it replaces the one
/// before (a report that held that one then shows the newer).
///
/// Names are immutable and read without a lock; the errors take the record's lock for an
/// append or a look-up, on failure and diagnostic paths only.
@usableFromInline
struct DriveIdentity: Sendable {
    /// Different errors one drive's record keeps.
    static let maxErrors = 64

    private let record: Unmanaged<DriveRecord>

    init(name: String, signalName: String) {
        let record = DriveRecord(name: name, signalName: signalName)
        // The process-wide list owns the record, so it stays reachable (LeakSanitizer reports
        // nothing) for as long as a report may point to it.
        allDriveRecords.withLock { $0.append(record) }
        self.record = Unmanaged.passUnretained(record)
    }

    var name: String { record.takeUnretainedValue().name }
    var signalName: String { record.takeUnretainedValue().signalName }

    func error(at position: Int) -> HALError {
        record.takeUnretainedValue().error(at: position)
    }

    /// Where `error` is in the record, adding it when it is new. The bus thread calls this once
    /// per failed exchange; a silent drive fails the same way every cycle and finds it first.
    func position(recording error: HALError) -> Int {
        record.takeUnretainedValue().position(recording: error, keepingAtMost: Self.maxErrors)
    }
}

/// Every drive record made in this process (see `DriveIdentity`); appended to once per drive as
/// its scheduler is made, never read.
private let allDriveRecords = Mutex<[DriveRecord]>([])

/// A drive's names and the different errors it has reported (see `DriveIdentity`).
private final class DriveRecord: @unchecked Sendable {
    let name: String
    let signalName: String
    /// A pthread mutex, which ThreadSanitizer sees; held for an append or a look-up only.
    private let lock = NSLock()
    private var errors: [HALError] = []

    init(name: String, signalName: String) {
        self.name = name
        self.signalName = signalName
    }

    func error(at position: Int) -> HALError {
        lock.lock()
        defer { lock.unlock() }
        return errors[position]
    }

    func position(recording error: HALError, keepingAtMost limit: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if let position = errors.lastIndex(of: error) {
            return position
        }
        if errors.count < limit {
            errors.append(error)
        } else {
            errors[limit - 1] = error
        }
        return errors.count - 1
    }
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
/// come back through latest-value cells (`LatestValueRow`), one per drive, which neither side
/// locks. Reports are plain data (`DriveReport`), so the control tick's `latest(driveAt:)` and
/// `post(_:toDriveAt:)` copy no strings, touch no reference count and take no lock. Each drive
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

    // The handoff cells, one per drive: written by the cycle (reports, statistics) or the
    // controller (setpoints), read by the other side without locks.
    private let reportCells: LatestValueRow<DriveReport>
    private let setpointCells: LatestValueRow<PostedSetpoint>
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
            DriveReport(identity: DriveIdentity(name: name, signalName: "\(busName).drive.\(name)"))
        }
        self.workingReports = initialReports
        self.reportCells = LatestValueRow(initialReports)
        self.setpointCells = LatestValueRow(names.map { _ in PostedSetpoint(setpoint: options.initialSetpoint, postedAt: nil) })
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
        // When posts are stamped, for the dead-man; without one nothing reads the stamp.
        let postedAt = options.setpointMaxAgeMilliseconds == nil ? nil : clock.now()
        setpointCells.publish(PostedSetpoint(setpoint: setpoint, postedAt: postedAt), at: index)
    }

    /// The setpoint the controller posted last for the drive at `index` in `driveNames`: what
    /// the next cycle sends (as quick stop once older than `setpointMaxAgeMilliseconds`, when set).
    /// Never blocks; for checks such as the fault matrix's "drives quick-stopped".
    public func postedSetpoint(driveAt index: Int) -> DriveSetpoint {
        setpointCells.read(index).setpoint
    }

    /// The newest report of the drive named `driveName`, or nil for a name not on this bus.
    /// Never blocks.
    public func latest(_ driveName: String) -> DriveReport? {
        guard let index = driveNames.firstIndex(of: driveName) else { return nil }
        return reportCells.read(index)
    }

    /// The newest report of the drive at `index` in `driveNames`. Never blocks.
    public func latest(driveAt index: Int) -> DriveReport {
        reportCells.read(index)
    }

    /// The newest reports of all drives, in the order the drives were given.
    public func latestReports() -> [DriveReport] {
        (0..<reportCells.count).map { reportCells.read($0) }
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
            var report = workingReports[index]
            do {
                let feedback = try drives[index].exchange(setpoint, deadline: deadline)
                report.recordSuccess(feedback, at: clock.now())
            } catch {
                let halError = error as? HALError
                    ?? HALError(device: report.signalName, cause: .invalidRequest(String(describing: error)))
                report.recordFailure(halError, faultAfterFailedCycles: options.faultAfterFailedCycles)
            }
            workingReports[index] = report
            reportCells.publish(report, at: index)
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

    /// The posted setpoint, or its quick-stop version when the controller has gone quiet.
    private func setpointToSend(index: Int, now: MonotonicInstant) -> DriveSetpoint {
        let posted = setpointCells.read(index)
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
