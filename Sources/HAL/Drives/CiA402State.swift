// The CiA 402 power state machine's states, decoded from the statusword. Written by hand: no Swift
// Modbus or CiA 402 package is available to this project. Masks from CiA 402-2 / IEC 61800-7-201
// (statusword state coding).

/// The eight states of the CiA 402 power state machine ("device control" states).
public enum CiA402State: String, Sendable, CaseIterable, CustomStringConvertible {
    case notReadyToSwitchOn
    case switchOnDisabled
    case readyToSwitchOn
    case switchedOn
    case operationEnabled
    case quickStopActive
    case faultReactionActive
    case fault

    /// Decodes the state bits of a statusword (0x6041), or nil when the bits match no state
    /// (a drive that does not follow the profile, or a garbled register).
    ///
    /// Only bits 0-3, 5 and 6 carry the state; the others (voltage enabled, warning, remote,
    /// target reached, mode-specific bits) are ignored here.
    public init?(statusword: UInt16) {
        // The standard's two masks: 0x4F where bit 5 (quick stop) does not matter for the state,
        // 0x6F where it does.
        switch statusword & 0x4F {
        case 0x00: self = .notReadyToSwitchOn
        case 0x40: self = .switchOnDisabled
        case 0x0F: self = .faultReactionActive
        case 0x08: self = .fault
        default:
            switch statusword & 0x6F {
            case 0x21: self = .readyToSwitchOn
            case 0x23: self = .switchedOn
            case 0x27: self = .operationEnabled
            case 0x07: self = .quickStopActive
            default: return nil
            }
        }
    }

    /// The state as written in logs, the console and signal values: `operation_enabled`.
    public var name: String {
        switch self {
        case .notReadyToSwitchOn: return "not_ready_to_switch_on"
        case .switchOnDisabled: return "switch_on_disabled"
        case .readyToSwitchOn: return "ready_to_switch_on"
        case .switchedOn: return "switched_on"
        case .operationEnabled: return "operation_enabled"
        case .quickStopActive: return "quick_stop_active"
        case .faultReactionActive: return "fault_reaction_active"
        case .fault: return "fault"
        }
    }

    /// The state from its `name`, for config files and console commands.
    public init?(name: String) {
        guard let state = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = state
    }

    /// True in the two fault states, from which only a fault reset leads out.
    public var isFault: Bool {
        self == .fault || self == .faultReactionActive
    }

    /// True where the power stage may drive the motor.
    public var isPowered: Bool {
        self == .operationEnabled || self == .quickStopActive || self == .faultReactionActive
    }

    public var description: String { name }
}

/// Statusword bits other than the state bits.
public enum CiA402StatusBit {
    public static let voltageEnabled: UInt16 = 1 << 4
    public static let warning: UInt16 = 1 << 7
    public static let remote: UInt16 = 1 << 9
    public static let targetReached: UInt16 = 1 << 10
    public static let internalLimitActive: UInt16 = 1 << 11
    /// Profile position: set-point acknowledge. Profile velocity: speed is zero.
    public static let operationModeSpecific12: UInt16 = 1 << 12
}
