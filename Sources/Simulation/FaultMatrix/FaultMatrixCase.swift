import Config
import Control

/// What the controller must do about an injected fault.
public enum FaultReaction: Equatable, Sendable {
    /// A safety stop: one of `kinds` latches, naming `subject` (a prefix such as `bus0.drive.`),
    /// and the outputs are safe (drive enable off, red light) with quick stop posted to every
    /// drive within `detectionAllowance` + two control periods of the fault's onset.
    case safeStop(kinds: [SafetyFault.Kind], subject: String, detectionAllowance: DetectionAllowance)
    /// Not a safety fault: nothing latches and nothing is forced safe. The stow cycle may still
    /// end the attempt on its own limits (a phase timeout, a lost item), and that attempt is
    /// journaled with its cause; `recordedIn` says where the fault itself leaves a trace.
    case tolerated(recordedIn: ToleratedRecord)
    /// A blocked axis: tolerated (as `.tolerated(recordedIn: .attemptCause)`) while its drive's
    /// following error stays inside the drive's window. When the axis was commanded to travel,
    /// the demand runs away from it and the drive faults itself (`errorCode`), as a real CiA 402
    /// drive does; that is then a drive fault like any other: `drive-fault` naming `subject`,
    /// safe within one bus cycle plus two control periods of the drive's own fault.
    case toleratedUntilItsDriveFaults(role: DriveRole, subject: String, errorCode: UInt16)
}

/// How long a fault may take to become visible to the control tick, before the two control
/// periods of reaction start counting. Derived from the config, never from a measurement.
public enum DetectionAllowance: Equatable, Sendable, CustomStringConvertible {
    /// A GPIO input: read in the next tick.
    case none
    /// A drive's own state: reported by the next bus cycle (one `poll_hz` period).
    case busCycle
    /// A silent or corrupt bus: feedback ages past `safety.drive_feedback_max_age_ms`, plus one
    /// bus period because the last good feedback may be that old already at the onset.
    case feedbackMaxAge
    /// A stalled control loop cannot act until it runs again: the stall itself.
    case stall(nanoseconds: UInt64)

    public func nanoseconds(config: RobotConfig) -> UInt64 {
        let busPeriod = UInt64(1e9 / (config.buses.map(\.pollHz).min() ?? 1))
        switch self {
        case .none: return 0
        case .busCycle: return busPeriod
        case .feedbackMaxAge: return UInt64(config.safety.driveFeedbackMaxAgeMS * 1e6) + busPeriod
        case let .stall(nanoseconds): return nanoseconds
        }
    }

    public var description: String {
        switch self {
        case .none: return "next tick"
        case .busCycle: return "one bus cycle"
        case .feedbackMaxAge: return "feedback max age + one bus cycle"
        case let .stall(nanoseconds): return "the \(nanoseconds / 1_000_000) ms stall"
        }
    }
}

/// Where a tolerated fault is seen afterwards, so "tolerated" never means "unnoticed".
public enum ToleratedRecord: Equatable, Sendable, CustomStringConvertible {
    /// The drive report's `failedExchanges` counts the exchange that failed after its retry.
    case failedExchange
    /// The control loop's statistics count the overrun.
    case loopOverrun
    /// Only the simulator's fault log and, if the attempt ended on it, the journal's cause: the
    /// controller has nothing to count (a stuck switch it waits on, frames that do not come).
    case attemptCause

    public var description: String {
        switch self {
        case .failedExchange: return "drive report failed exchanges"
        case .loopOverrun: return "control loop overruns"
        case .attemptCause: return "attempt cause (if it ended the attempt)"
        }
    }
}

/// One row of the fault matrix: a fault as written in the fault grammar (without its trigger),
/// and the reaction it must get.
public struct FaultMatrixCase: Sendable, CustomStringConvertible {
    /// The fault line, e.g. `serial-timeout bus0 for 600ms`; the matrix injects it on entering
    /// each stow state.
    public var fault: String
    public var reaction: FaultReaction
    /// Why this is the right reaction (for the docs and the table's legend).
    public var why: String

    public var description: String { fault }

    /// The fault kind's name (`serial-timeout`), the first word of the line.
    public var kindName: String { String(fault.prefix { $0 != " " }) }

    /// Every fault kind SimHAL can inject, each with the reaction it must get. Serial faults come
    /// twice: a short burst the Modbus retry and the bus watchdog absorb, and a lasting one that
    /// must stop the EOAT. `slow-tick` too: an overrun within the dead-man time, and one past it.
    public static let all: [FaultMatrixCase] = [
        FaultMatrixCase(
            fault: "estop for 300ms",
            reaction: .safeStop(kinds: [.estop], subject: "eoat.estop", detectionAllowance: .none),
            why: "the e-stop chain opened: STO off and quick stop in the tick that reads it"),
        FaultMatrixCase(
            fault: "input-stuck eoat.estop true for 300ms",
            reaction: .safeStop(kinds: [.estop], subject: "eoat.estop", detectionAllowance: .none),
            why: "a line stuck at 'pressed' (a broken wire) must read as an e-stop"),
        FaultMatrixCase(
            fault: "input-bounce eoat.estop for 50ms",
            reaction: .safeStop(kinds: [.estop], subject: "eoat.estop", detectionAllowance: .none),
            why: "a chattering e-stop chain is an open chain until a person resets"),
        FaultMatrixCase(
            fault: "input-stuck eoat.plank.home false for 600ms",
            reaction: .tolerated(recordedIn: .attemptCause),
            why: "a position switch is not a safety input: the cycle waits for it, bounded by its phase timeout"),
        FaultMatrixCase(
            fault: "input-bounce eoat.jaw.open for 50ms",
            reaction: .tolerated(recordedIn: .attemptCause),
            why: "a chattering limit switch is not a safety input; the cycle acts on it only where it waits for it"),
        FaultMatrixCase(
            fault: "serial-timeout bus0 burst 2",
            reaction: .tolerated(recordedIn: .failedExchange),
            why: "one request lost twice fails one exchange; the watchdog allows 3 missed cycles"),
        FaultMatrixCase(
            fault: "serial-timeout bus0 for 600ms",
            reaction: .safeStop(kinds: [.driveFeedbackStale, .driveComm], subject: "bus0.drive.", detectionAllowance: .feedbackMaxAge),
            why: "a silent bus: drives may be running on their last setpoint"),
        FaultMatrixCase(
            fault: "serial-crc bus0 burst 2",
            reaction: .tolerated(recordedIn: .failedExchange),
            why: "a CRC error is retried; one failed exchange is within the watchdog"),
        FaultMatrixCase(
            fault: "serial-crc bus0 for 600ms",
            reaction: .safeStop(kinds: [.driveFeedbackStale, .driveComm], subject: "bus0.drive.", detectionAllowance: .feedbackMaxAge),
            why: "no good reply gets through: as a silent bus"),
        FaultMatrixCase(
            fault: "serial-garble bus0 burst 2",
            reaction: .tolerated(recordedIn: .failedExchange),
            why: "a cut-short reply is retried; one failed exchange is within the watchdog"),
        FaultMatrixCase(
            fault: "serial-garble bus0 for 600ms",
            reaction: .safeStop(kinds: [.driveFeedbackStale, .driveComm], subject: "bus0.drive.", detectionAllowance: .feedbackMaxAge),
            why: "no good reply gets through: as a silent bus"),
        FaultMatrixCase(
            fault: "drive-fault plank 0x7500",
            reaction: .safeStop(kinds: [.driveFault], subject: "bus0.drive.plank", detectionAllowance: .busCycle),
            why: "a drive in CiA 402 fault has no torque under control: stop everything"),
        FaultMatrixCase(
            fault: "drive-stall jaw for 600ms",
            reaction: .toleratedUntilItsDriveFaults(role: .jaw, subject: "bus0.drive.jaw", errorCode: 0x8611),
            why: "a blocked axis is the stow cycle's to see (force limit, phase timeout); one commanded to travel falls behind "
                + "its demand until the drive faults itself on following error (0x8611), which must then stop the EOAT"),
        FaultMatrixCase(
            fault: "drive-frozen plank for 600ms",
            reaction: .tolerated(recordedIn: .attemptCause),
            why: "frozen feedback still arrives on time: the supervisor cannot tell it from a still axis; phase timeouts bound it"),
        FaultMatrixCase(
            fault: "camera-drop for 600ms",
            reaction: .tolerated(recordedIn: .attemptCause),
            why: "perception is not a safety input: the cycle waits for a fresh frame and never uses an old one"),
        FaultMatrixCase(
            fault: "camera-freeze for 600ms",
            reaction: .tolerated(recordedIn: .attemptCause),
            why: "a repeated frame is not new: as a dropped one"),
        FaultMatrixCase(
            fault: "camera-stale 400ms for 600ms",
            reaction: .tolerated(recordedIn: .attemptCause),
            why: "frames older than perception_max_age_ms are refused as stale"),
        FaultMatrixCase(
            fault: "slow-tick 5ms",
            reaction: .tolerated(recordedIn: .loopOverrun),
            why: "one overrun within every dead-man time; the loop faults only after 5 in a row"),
        FaultMatrixCase(
            fault: "slow-tick 30ms",
            reaction: .safeStop(kinds: [.deadman], subject: "eoat.drive-enable", detectionAllowance: .stall(nanoseconds: 30_000_000)),
            why: "a stall past drive enable's 20 ms dead-man time: outputs forced safe when the loop resumes"),
    ]

    /// Cells that fail today for a controller bug found by the matrix and not yet fixed, with what
    /// goes wrong. They still count as failed (`stowctl fault-matrix` exits 1); the table marks them
    /// `KNOWN`, and `FaultMatrixTests` expects them to fail, so it fails once one passes: remove the
    /// entry with the fix.
    public static let knownIssues: [FaultMatrixKnownIssue] = []

    /// The stow states a fault is injected in: every state the cycle passes through or aborts to,
    /// except `idle` (left in the first tick) and `safe_stop` (the reaction itself).
    public static let states: [StowState] = StowState.allCases.filter { $0 != .idle && $0 != .safeStop }
}

/// A fault-matrix cell that fails for a known, not yet fixed bug.
public struct FaultMatrixKnownIssue: Sendable {
    public var fault: String
    public var state: StowState
    public var note: String

    public static func find(_ fault: String, _ state: StowState) -> FaultMatrixKnownIssue? {
        FaultMatrixCase.knownIssues.first { $0.fault == fault && $0.state == state }
    }
}
