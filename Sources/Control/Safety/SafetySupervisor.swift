import Config
import HAL

/// Runs first in every control tick and can override everything (ARCHITECTURE: safety is data).
///
/// - E-stop asserted: every drive gets quick stop and the drive enable (STO) output drops in the
///   same tick.
/// - Dead-man: an output held at a non-safe value must be commanded again within its
///   `deadman_ms`; a gap longer than that (a stalled loop resuming) forces it safe and latches.
/// - Drive communication watchdog, stale drive feedback, drives in CiA 402 fault, loop overruns,
///   failed line reads or writes, stale perception when it is needed.
/// - Every fault latches, names what tripped with a hint, and holds the EOAT safe until an
///   explicit `reset` finds the cause gone.
///
/// No allocation, lock or wait in steady state: faults are appended only when one trips.
/// Not thread-safe: everything here runs on the control loop's thread (the console posts
/// `reset faults` and `estop` as commands the control side executes). Perception freshness is
/// the stow cycle's to check: it asks for a fresh observation and never uses a stale one.
public final class SafetySupervisor {
    public struct Limits: Sendable {
        public var deadmanNanoseconds: [UInt64?]
        public var safeValues: EOATOutputs
        public var driveFeedbackMaxAgeNanoseconds: UInt64

        public init(config: RobotConfig) {
            var safe = EOATOutputs()
            var deadman: [UInt64?] = []
            for (index, name) in EOATOutputs.signalNames.enumerated() {
                let output = config.gpio.output(name)
                safe[index] = output?.safeValue ?? false
                deadman.append(output?.deadmanMS.map { UInt64($0 * 1_000_000) })
            }
            safeValues = safe
            deadmanNanoseconds = deadman
            driveFeedbackMaxAgeNanoseconds = UInt64(config.safety.driveFeedbackMaxAgeMS * 1_000_000)
        }
    }

    public let limits: Limits
    /// Latched faults, oldest first.
    public private(set) var faults: [SafetyFault] = []
    /// When each output was last commanded to a non-safe value.
    private var lastRefresh: [MonotonicInstant?]
    /// When supervision started: drives have until `driveFeedbackMaxAge` after it to answer.
    private let startedAt: MonotonicInstant
    private var resetUntil: MonotonicInstant?
    private var lastTick = MonotonicInstant(nanoseconds: 0)

    public init(limits: Limits, start: MonotonicInstant) {
        self.limits = limits
        lastRefresh = Array(repeating: nil, count: EOATOutputs.count)
        faults.reserveCapacity(16)
        startedAt = start
    }

    /// True while any fault is latched or a reset is in progress.
    public var isSafeStopped: Bool { !faults.isEmpty || resetting(lastTick) }

    public func isLatched(_ kind: SafetyFault.Kind, _ subject: String) -> Bool {
        faults.contains { $0.kind == kind && $0.subject == subject }
    }

    /// Latches a fault found elsewhere (a failed line read, a loop overrun, the console's estop).
    /// The message is built only when the fault is new, so a standing fault costs no allocation.
    public func latch(
        _ kind: SafetyFault.Kind, _ subject: String, _ message: @autoclosure () -> String, hint: String, now: MonotonicInstant
    ) {
        guard !isLatched(kind, subject) else { return }
        faults.append(SafetyFault(kind: kind, subject: subject, message: message(), hint: hint, since: now))
    }

    /// Checks this tick's inputs and drive reports; latches whatever tripped.
    public func supervise(inputs: EOATInputs, drives: PerDrive<DriveReport?>, now: MonotonicInstant) {
        lastTick = now
        if inputs.estop {
            latch(.estop, "eoat.estop", "e-stop chain open", hint: "release the e-stop, then reset faults", now: now)
        }
        // A stalled loop is known at the start of the tick after the stall: latched here, before
        // the application decides anything on a late tick (it sees the stop in this same tick).
        for index in 0..<EOATOutputs.count {
            if let limit = limits.deadmanNanoseconds[index], let last = lastRefresh[index], last.nanoseconds(until: now) > limit {
                latch(.deadman, EOATOutputs.signalNames[index],
                      "not refreshed for \(last.nanoseconds(until: now) / 1_000_000) ms (limit \(limit / 1_000_000) ms)",
                      hint: "the control loop stalled; check loop statistics", now: now)
            }
        }
        guard !resetting(now) else { return }
        // Field by field: `DriveRole.allCases` would build an array every tick.
        if let report = drives.jaw { check(report, now: now) }
        if let report = drives.leftBelt { check(report, now: now) }
        if let report = drives.rightBelt { check(report, now: now) }
        if let report = drives.plank { check(report, now: now) }
    }

    /// Overrides the application's command: safe outputs and quick stop while any fault is
    /// latched. Notes when each output was last commanded to a non-safe value: the next tick's
    /// `supervise` measures the dead-man time from there.
    public func enforce(outputs: inout EOATOutputs, drives: inout PerDrive<DriveSetpoint>, now: MonotonicInstant) {
        for index in 0..<EOATOutputs.count {
            lastRefresh[index] = outputs[index] == limits.safeValues[index] ? nil : now
        }
        guard isSafeStopped else { return }
        outputs = limits.safeValues
        outputs.towerLightRed = true
        if faults.isEmpty {
            // Resetting: STO released so the drives can leave fault (they stay disabled: a fault
            // reset ends in switch-on-disabled, no torque until the cycle enables them again).
            outputs.driveEnable = true
            drives = PerDrive(all: .faultReset)
        } else {
            drives = PerDrive(all: .quickStop)
        }
        for index in 0..<EOATOutputs.count { lastRefresh[index] = nil }
    }

    /// A person asked to reset faults (console `reset faults`). Every latched fault is cleared
    /// and, for `resetWindowNanoseconds`, the EOAT stays safe while the drives get the CiA 402
    /// fault reset instead of quick stop; drive checks resume after the window, so a cause that
    /// persists (a drive still in fault, still silent) latches again then. The e-stop is checked
    /// throughout.
    public func requestReset(now: MonotonicInstant) {
        faults.removeAll(keepingCapacity: true)
        resetUntil = now.adding(nanoseconds: Self.resetWindowNanoseconds)
    }

    /// How long a reset holds the EOAT safe while drives leave their fault state.
    public static let resetWindowNanoseconds: UInt64 = 300_000_000

    func resetting(_ now: MonotonicInstant) -> Bool {
        resetUntil.map { now < $0 } ?? false
    }

    private func check(_ report: DriveReport, now: MonotonicInstant) {
        // The cycle count, not `report.fault`: that reads the last error under the drive
        // record's lock, which this thread must not wait for.
        if report.faultFailedCycles > 0 {
            latch(.driveComm, report.signalName, "no answer for \(report.faultFailedCycles) cycles",
                  hint: "check wiring, unit id and baud; then reset faults", now: now)
        }
        if let stamp = report.feedbackTimestamp {
            let age = stamp.nanoseconds(until: now)
            if age > limits.driveFeedbackMaxAgeNanoseconds {
                latch(.driveFeedbackStale, report.signalName, "feedback \(age / 1_000_000) ms old",
                      hint: "the bus loop is not keeping up; check show bus", now: now)
            }
        } else if startedAt.nanoseconds(until: now) > limits.driveFeedbackMaxAgeNanoseconds {
            latch(.driveFeedbackStale, report.signalName, "no feedback since start",
                  hint: "check the drive is powered and on the bus", now: now)
        }
        if let feedback = report.feedback, CiA402State(statusword: feedback.statusword) == .fault {
            let code = CiA402ErrorCode(code: feedback.errorCode)
            latch(.driveFault, report.signalName, "drive in fault: \(code)",
                  hint: "clear the cause, then reset faults (sends CiA 402 fault reset)", now: now)
        }
    }
}
