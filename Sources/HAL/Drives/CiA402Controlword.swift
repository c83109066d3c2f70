// CiA 402 controlword commands and the walk through the power state machine. Written by hand: no
// Swift Modbus or CiA 402 package is available to this project. Command coding from CiA 402-2 /
// IEC 61800-7-201 (controlword, device control commands).

/// A controlword (object 0x6040): the device-control command in bits 0-3 and 7, plus the
/// operation-mode bits 4-6 and halt (bit 8).
public struct CiA402Controlword: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    // Bits.
    public static let switchOnBit: UInt16 = 1 << 0
    public static let enableVoltageBit: UInt16 = 1 << 1
    /// Active low: 0 commands a quick stop.
    public static let quickStopBit: UInt16 = 1 << 2
    public static let enableOperationBit: UInt16 = 1 << 3
    /// Profile position: a rising edge hands the drive a new target (0x607A).
    public static let newSetpointBit: UInt16 = 1 << 4
    /// Profile position: the new target replaces the current one at once instead of queueing.
    public static let changeSetImmediatelyBit: UInt16 = 1 << 5
    /// A rising edge clears a fault (transition 15).
    public static let faultResetBit: UInt16 = 1 << 7
    public static let haltBit: UInt16 = 1 << 8

    // Device control commands (bits 0-3; bit 7 clear).
    /// 0xxx x110: → ready_to_switch_on (transitions 2, 6, 8).
    public static let shutdown = CiA402Controlword(rawValue: 0x0006)
    /// 0xxx 0111: → switched_on (transition 3).
    public static let switchOn = CiA402Controlword(rawValue: 0x0007)
    /// 0xxx 1111: → operation_enabled (transition 4; 3 + 4 from ready_to_switch_on).
    public static let enableOperation = CiA402Controlword(rawValue: 0x000F)
    /// 0xxx xx0x: → switch_on_disabled (transitions 7, 9, 10, 12). Power stage off, motor coasts
    /// or brakes as the drive's disable option says.
    public static let disableVoltage = CiA402Controlword(rawValue: 0x0000)
    /// 0xxx x01x: → quick_stop_active (transition 11), then the drive's quick stop option.
    public static let quickStop = CiA402Controlword(rawValue: 0x0002)
    /// 0xxx 0111: operation_enabled → switched_on (transition 5). The same bits as `switchOn`.
    public static let disableOperation = CiA402Controlword(rawValue: 0x0007)
    /// Bit 7 alone. Only its rising edge resets, so the bit must have been 0 in the previous write.
    public static let faultReset = CiA402Controlword(rawValue: 0x0080)

    /// This controlword with the new-set-point bit (4) set or cleared.
    public func withNewSetpoint(_ on: Bool = true) -> CiA402Controlword {
        setting(Self.newSetpointBit, on)
    }

    /// This controlword with the change-set-immediately bit (5) set or cleared.
    public func withChangeSetImmediately(_ on: Bool = true) -> CiA402Controlword {
        setting(Self.changeSetImmediatelyBit, on)
    }

    /// This controlword with the halt bit (8) set or cleared.
    public func withHalt(_ on: Bool = true) -> CiA402Controlword {
        setting(Self.haltBit, on)
    }

    /// `0x000F`.
    public var description: String {
        let digits = String(rawValue, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func setting(_ bit: UInt16, _ on: Bool) -> CiA402Controlword {
        CiA402Controlword(rawValue: on ? rawValue | bit : rawValue & ~bit)
    }
}

/// The states a master may ask a drive to settle in.
public enum CiA402Target: String, Sendable, CaseIterable {
    case switchOnDisabled
    case readyToSwitchOn
    case switchedOn
    case operationEnabled

    public var state: CiA402State {
        switch self {
        case .switchOnDisabled: return .switchOnDisabled
        case .readyToSwitchOn: return .readyToSwitchOn
        case .switchedOn: return .switchedOn
        case .operationEnabled: return .operationEnabled
        }
    }
}

/// What to do next on the way from one state toward a target.
public enum CiA402Step: Equatable, Sendable {
    /// The drive is in the target state.
    case arrived
    /// Write this controlword, then read the statusword again.
    case send(CiA402Controlword)
    /// The drive is in an automatic state (booting, reacting to a fault): read again later.
    case wait
    /// The drive is in `fault`. Leaving it takes a deliberate fault reset, which a walk never does
    /// on its own: someone must look at the error code first.
    case blockedByFault
}

extension CiA402Controlword {
    /// The next step to walk a drive from `state` toward `target`, one transition at a time.
    ///
    /// Pure, so the controller can run it every tick on fresh feedback and `enable`/`disable` can
    /// loop on it. Going up it takes the standard path (shutdown → switch on → enable operation);
    /// going down it takes the shortest one (disable voltage reaches switch_on_disabled from any
    /// powered state). It never re-enables straight out of quick_stop_active (transition 16 is
    /// optional in the standard and most drives refuse it): it waits for the stop to finish.
    public static func next(from state: CiA402State, toward target: CiA402Target) -> CiA402Step {
        if state == target.state {
            return .arrived
        }
        switch state {
        case .notReadyToSwitchOn, .faultReactionActive:
            return .wait
        case .fault:
            return .blockedByFault
        case .switchOnDisabled:
            // Every other target is above: shutdown is transition 2.
            return .send(.shutdown)
        case .readyToSwitchOn:
            switch target {
            case .switchOnDisabled: return .send(.disableVoltage)
            case .switchedOn, .operationEnabled: return .send(.switchOn)
            case .readyToSwitchOn: return .arrived
            }
        case .switchedOn:
            switch target {
            case .switchOnDisabled: return .send(.disableVoltage)
            case .readyToSwitchOn: return .send(.shutdown)
            case .operationEnabled: return .send(.enableOperation)
            case .switchedOn: return .arrived
            }
        case .operationEnabled:
            switch target {
            case .switchOnDisabled: return .send(.disableVoltage)
            case .readyToSwitchOn: return .send(.shutdown)
            case .switchedOn: return .send(.disableOperation)
            case .operationEnabled: return .arrived
            }
        case .quickStopActive:
            // Going down, disable voltage is transition 12. Going up, let the drive finish
            // braking: with the usual quick stop options (1-4) it then drops to
            // switch_on_disabled by itself and the walk continues from there.
            return target == .switchOnDisabled ? .send(.disableVoltage) : .wait
        }
    }
}
