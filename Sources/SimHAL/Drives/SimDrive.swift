// One simulated CiA 402 servo axis (jaw, left belt, right belt, plank). Written by hand from
// CiA 402-2 / IEC 61800-7-201 (power state machine, profile position and profile velocity modes):
// no Swift CiA 402 package exists.
//
// A pure model: no threads, no clock. The world sets `load` and `torqueEnabled`, then calls
// `step(byNanoseconds:)`; the bus (ModbusRTUServer + SimDriveRegisterMap) reads and writes
// objects between steps. `step` allocates nothing.
//
// Behaviour where the standard leaves a choice (docs/modbus.md, "Bench-testing without a drive"):
// - Boots instantly: starts in switch_on_disabled. Controlword commands act at once, so the
//   statusword read back in the same FC 0x17 already shows the new state. `xxxx 1111` from
//   ready_to_switch_on goes straight to operation_enabled (transitions 3+4). Transition 16
//   (quick_stop_active → operation_enabled) is refused. Fault reset is the rising edge of bit 7,
//   effective only in fault.
// - Quick stop option code 2: brake on 0x6085, then switch_on_disabled. Fault reaction: brake on
//   0x6085, then fault; a fault at rest goes straight to fault. Leaving operation_enabled any other
//   way removes torque at once and the axis brakes on its own (holding brake at the maximum
//   acceleration); set-points are dropped.
// - Profile position: the rising edge of bit 4 takes 0x607A (bit 6: relative to the last
//   target). Every new set-point replaces the one in progress at once, as if bit 5 were set.
//   Targets outside the travel are clamped to it (bit 11 internal limit active).
// - Profile velocity: 0x60FF, ramped with 0x6083 up and 0x6084 down; an axis with travel limits
//   brakes so that it stops at the limit (bit 11).
// - Both modes clamp 0x6081/0x60FF to the maximum speed and 0x6083/0x6084 to the maximum
//   acceleration of the parameters; 0x6085 is not clamped (the current limit is).
// - Following error (demand minus actual position) is monitored in both modes while powered;
//   beyond the window: fault 0x8611 (bit 13 in profile position).
// - STO (`torqueEnabled = false`) while the power stage is on: fault 0x5441 at once (no torque to
//   brake with; the axis coasts to rest). Enabling operation with STO active faults the same way,
//   and a fault reset leaves 0x5441 standing until STO is released.
// - Statusword: bit 4 (voltage enabled) and bit 9 (remote) always set; bit 5 (quick stop) set in
//   ready_to_switch_on, switched_on and operation_enabled; bit 7 (warning) never.
import HAL

/// One simulated CiA 402 axis, stepped by the world.
public final class SimDrive {
    public let parameters: SimDriveParameters

    /// What the world does to the axis during the next step.
    public var load: SimDriveLoad = .free

    /// False while the STO (drive-enable) output is off: no torque. Dropping it while the power
    /// stage is on faults the drive with 0x5441.
    public var torqueEnabled: Bool = true {
        didSet {
            if !torqueEnabled && state.isPowered {
                enterSafeTorqueOffFault()
            }
        }
    }

    /// The error code reported for STO (safe torque off) active while torque is needed.
    public static let safeTorqueOffErrorCode: UInt16 = 0x5441
    /// The error code of a following error beyond the window (CiA 402-2).
    public static let followingErrorCode: UInt16 = 0x8611

    // MARK: - Model state (internal for the extensions in SimDrive*.swift)

    /// Actual position and velocity of the axis.
    var actualPositionMM: Double
    var actualVelocityMMPerS: Double = 0
    /// Where the profile generator wants the axis.
    var demandPositionMM: Double
    var demandVelocityMMPerS: Double = 0
    var actualCurrentMA: Double = 0
    var deliveredForceN: Double = 0
    var stalled = false
    var currentLimited = false
    var travelLimitActive = false

    var powerState: CiA402State = .switchOnDisabled
    var latchedErrorCode: UInt16 = 0
    var followingErrorLatched = false

    var controlword: UInt16 = 0
    var modeOfOperation: Int8 = 0
    var targetPositionCounts: Int64 = 0
    var targetVelocityCounts: Int64 = 0
    var profileVelocityCounts: Int64
    var profileAccelerationCounts: Int64
    var profileDecelerationCounts: Int64
    var quickStopDecelerationCounts: Int64

    /// Profile position: the set-point being moved to, if any.
    var setpointMM: Double?
    /// The profile generator has arrived at `setpointMM`.
    var setpointLanded = false
    var setpointTravelClamped = false
    var setpointAcknowledged = false

    var stallInjected = false
    var frozenFeedback: FrozenFeedback?

    struct FrozenFeedback {
        var statusword: Int64
        var positionCounts: Int64
        var velocityCounts: Int64
        var currentPerMille: Int64
    }

    /// A drive at rest at `startPositionMM`, in switch_on_disabled, mode 0, with profile
    /// velocity at the maximum speed, profile acceleration and deceleration at the maximum
    /// acceleration and quick stop deceleration at twice it.
    public init(parameters: SimDriveParameters, startPositionMM: Double = 0) {
        self.parameters = parameters
        actualPositionMM = startPositionMM
        demandPositionMM = startPositionMM
        let scale = Swift.abs(parameters.countsPerMM)
        profileVelocityCounts = Int64((parameters.maxSpeedMMPerS * scale).rounded())
        profileAccelerationCounts = Int64((parameters.maxAccelerationMMPerS2 * scale).rounded())
        profileDecelerationCounts = profileAccelerationCounts
        quickStopDecelerationCounts = 2 * profileAccelerationCounts
    }

    // MARK: - What the world sees

    /// Actual position (the model's, even while the bus feedback is frozen).
    public var positionMM: Double { actualPositionMM }
    public var velocityMMPerS: Double { actualVelocityMMPerS }
    /// Actual motor current, magnitude.
    public var currentMA: Double { actualCurrentMA }
    /// Force the axis delivers against its load or hard stop.
    public var forceN: Double { deliveredForceN }
    public var state: CiA402State { powerState }
    public var errorCode: UInt16 { latchedErrorCode }
    /// Pushing into a hard stop, or against a load above what the current limit can move.
    public var isStalled: Bool { stalled }
    /// Demand minus actual position.
    public var followingErrorMM: Double { demandPositionMM - actualPositionMM }
    /// The mode in effect (0x6061 on a real drive; this model applies a mode write at once).
    public var modeDisplay: Int8 { modeOfOperation }

    /// Advances the model by `byNanoseconds`. Allocation-free.
    public func step(byNanoseconds nanoseconds: UInt64) {
        guard nanoseconds > 0 else { return }
        advance(seconds: Double(nanoseconds) * 1e-9)
    }

    // MARK: - Faults

    public func inject(_ fault: SimDriveFault) {
        switch fault {
        case let .errorCode(code):
            enterFault(code: code == 0 ? 0x1000 : code)
        case .stall:
            stallInjected = true
        case .frozenFeedback:
            if frozenFeedback == nil {
                frozenFeedback = FrozenFeedback(
                    statusword: Int64(statusword), positionCounts: positionCounts, velocityCounts: velocityCounts,
                    currentPerMille: currentPerMille)
            }
        }
    }

    /// Ends an injected stall and frozen feedback. A fault already latched stays until reset.
    public func clearInjectedFaults() {
        stallInjected = false
        frozenFeedback = nil
    }

    // MARK: - Objects

    /// What the master reads: raw values in drive units (counts, counts/s, per mille).
    public func read(_ object: CiA402Object) -> Int64 {
        switch object {
        case .errorCode: return Int64(latchedErrorCode)
        case .controlword: return Int64(controlword)
        case .statusword: return frozenFeedback?.statusword ?? Int64(statusword)
        case .modesOfOperation: return Int64(modeOfOperation)
        case .positionActualValue: return frozenFeedback?.positionCounts ?? positionCounts
        case .velocityActualValue: return frozenFeedback?.velocityCounts ?? velocityCounts
        case .currentActualValue: return frozenFeedback?.currentPerMille ?? currentPerMille
        case .targetPosition: return targetPositionCounts
        case .profileVelocity: return profileVelocityCounts
        case .profileAcceleration: return profileAccelerationCounts
        case .profileDeceleration: return profileDecelerationCounts
        case .quickStopDeceleration: return quickStopDecelerationCounts
        case .targetVelocity: return targetVelocityCounts
        }
    }

    /// Writes an object as the master does. Throws `SimDriveWriteError` for read-only objects
    /// and values the drive refuses; a refused write changes nothing.
    public func write(_ object: CiA402Object, value: Int64) throws {
        try validate(object, value: value)
        switch object {
        case .controlword: apply(controlword: UInt16(value))
        case .modesOfOperation: changeMode(to: Int8(value))
        case .targetPosition: targetPositionCounts = value
        case .targetVelocity: targetVelocityCounts = value
        case .profileVelocity: profileVelocityCounts = value
        case .profileAcceleration: profileAccelerationCounts = value
        case .profileDeceleration: profileDecelerationCounts = value
        case .quickStopDeceleration: quickStopDecelerationCounts = value
        case .errorCode, .statusword, .positionActualValue, .velocityActualValue, .currentActualValue:
            break  // refused by validate
        }
    }

    /// Throws what `write` would throw for this value, without writing it (the Modbus server
    /// checks a whole span before writing any of it).
    public func validate(_ object: CiA402Object, value: Int64) throws {
        switch object {
        case .errorCode, .statusword, .positionActualValue, .velocityActualValue, .currentActualValue:
            throw SimDriveWriteError.readOnly(object)
        default:
            break
        }
        let range = object.valueType.range
        guard range.contains(value) else {
            throw SimDriveWriteError.outOfRange(object, value: value, allowed: range)
        }
        switch object {
        case .modesOfOperation:
            guard value == 0 || Int8(value) == DriveMode.profilePosition.rawValue || Int8(value) == DriveMode.profileVelocity.rawValue else {
                throw SimDriveWriteError.refused(object, value: value, reason: "supported modes are 0 (none), 1 (profile position), 3 (profile velocity)")
            }
        case .profileAcceleration, .profileDeceleration, .quickStopDeceleration:
            guard value > 0 else {
                throw SimDriveWriteError.refused(object, value: value, reason: "a ramp of 0 would never start or stop; give counts/s² > 0")
            }
        default:
            break
        }
    }

    // MARK: - Scaling (drive units)

    var positionCounts: Int64 { Self.counts(actualPositionMM * parameters.countsPerMM, in: CiA402Object.positionActualValue) }
    var velocityCounts: Int64 { Self.counts(actualVelocityMMPerS * parameters.countsPerMM, in: CiA402Object.velocityActualValue) }
    var currentPerMille: Int64 {
        guard parameters.ratedCurrentMA > 0 else { return 0 }
        return Self.counts(actualCurrentMA / parameters.ratedCurrentMA * 1000, in: CiA402Object.currentActualValue)
    }

    /// Rounded and clamped to the object's type, so a far-travelled belt wraps nothing.
    static func counts(_ value: Double, in object: CiA402Object) -> Int64 {
        let range = object.valueType.range
        guard value.isFinite else { return 0 }
        let rounded = value.rounded()
        if rounded <= Double(range.lowerBound) { return range.lowerBound }
        if rounded >= Double(range.upperBound) { return range.upperBound }
        return Int64(rounded)
    }
}
