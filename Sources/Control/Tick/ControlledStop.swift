import Config
import HAL
import Synchronization

/// Wraps the controller's application so a service can stop the EOAT the way a person would
/// want it stopped (IEC 61800-5-2 "safe stop 1"): brake first, then remove torque.
///
/// Until `requestStop()` it is transparent. After it, the wrapped application is no longer
/// stepped, and every tick:
/// 1. **Quick stop**: every output at its safe value except `eoat.drive-enable`, which stays on
///    so the drives can brake on their quick-stop ramp (dropping STO on a moving axis lets it
///    coast, and most drives fault); every drive gets the CiA 402 quick stop.
/// 2. **Disable**: once no drive is powered (each reports a state where the power stage is off,
///    as quick stop option code 2 leaves it), or after `quickStopTimeoutNanoseconds` whatever
///    the drives say, every drive gets disable voltage and `eoat.drive-enable` drops too: all
///    outputs safe. `isStopped` turns true from then on.
///
/// A latched safety fault still overrides this (the supervisor runs after it): e-stop drops STO
/// at once, as it always does. `requestStop()` may be called from any thread; `step` runs on the
/// control loop's thread, like every application. No allocation, lock or wait.
public final class ControlledStop: ControlApplication, @unchecked Sendable {
    /// What the stop sequence is doing.
    public enum Phase: Int, Sendable {
        case running = 0
        case quickStop = 1
        case disabled = 2
    }

    public let wrapped: ControlApplication
    /// Longest time the drives get to brake before STO drops anyway.
    public let quickStopTimeoutNanoseconds: UInt64
    private let safeValues: EOATOutputs
    private let stopRequested = Atomic<Bool>(false)
    private let currentPhase = Atomic<Int>(Phase.running.rawValue)
    private var stopStartedAt: MonotonicInstant?

    /// `safeValues`: every output's safe value (`SafetySupervisor.Limits.safeValues`).
    public init(wrapping wrapped: ControlApplication, safeValues: EOATOutputs, quickStopTimeoutNanoseconds: UInt64 = 1_000_000_000) {
        self.wrapped = wrapped
        self.safeValues = safeValues
        self.quickStopTimeoutNanoseconds = quickStopTimeoutNanoseconds
    }

    /// Starts the stop at the next control tick. Any thread; calling it again changes nothing.
    public func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Where the sequence is, as of the latest tick.
    public var phase: Phase { Phase(rawValue: currentPhase.load(ordering: .acquiring)) ?? .running }

    /// True once the drives were told to disable and STO dropped.
    public var isStopped: Bool { phase == .disabled }

    public func step(
        now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool,
        outputs: inout EOATOutputs, setpoints: inout PerDrive<DriveSetpoint>
    ) {
        guard stopRequested.load(ordering: .acquiring) else {
            wrapped.step(now: now, inputs: inputs, drives: drives, safeStopped: safeStopped, outputs: &outputs, setpoints: &setpoints)
            return
        }
        let started = stopStartedAt ?? now
        stopStartedAt = started
        let braking = phase != .disabled
            && Self.anyPowered(drives)
            && started.nanoseconds(until: now) < quickStopTimeoutNanoseconds
        outputs = safeValues
        outputs.towerLightRed = true
        if braking {
            outputs.driveEnable = true
            setpoints = PerDrive(all: .quickStop)
            currentPhase.store(Phase.quickStop.rawValue, ordering: .releasing)
        } else {
            setpoints = PerDrive(all: .disabled)
            currentPhase.store(Phase.disabled.rawValue, ordering: .releasing)
        }
    }

    /// A drive counts as powered unless its last report shows the power stage off; one that never
    /// answered counts as powered (the timeout ends the wait).
    private static func anyPowered(_ drives: PerDrive<DriveReport?>) -> Bool {
        isPowered(drives.jaw) || isPowered(drives.leftBelt) || isPowered(drives.rightBelt) || isPowered(drives.plank)
    }

    private static func isPowered(_ report: DriveReport?) -> Bool {
        guard let feedback = report?.feedback, let state = CiA402State(statusword: feedback.statusword) else { return true }
        return state.isPowered
    }
}
