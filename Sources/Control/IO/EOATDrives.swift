import Config
import HAL

/// One value per EOAT drive, by role. Field order is `DriveRole.allCases`.
public struct PerDrive<Value: Sendable>: Sendable {
    public var jaw: Value
    public var leftBelt: Value
    public var rightBelt: Value
    public var plank: Value

    public init(jaw: Value, leftBelt: Value, rightBelt: Value, plank: Value) {
        self.jaw = jaw
        self.leftBelt = leftBelt
        self.rightBelt = rightBelt
        self.plank = plank
    }

    public init(all value: Value) {
        self.init(jaw: value, leftBelt: value, rightBelt: value, plank: value)
    }

    public subscript(role: DriveRole) -> Value {
        get {
            switch role {
            case .jaw: return jaw
            case .leftBelt: return leftBelt
            case .rightBelt: return rightBelt
            case .plank: return plank
            }
        }
        set {
            switch role {
            case .jaw: jaw = newValue
            case .leftBelt: leftBelt = newValue
            case .rightBelt: rightBelt = newValue
            case .plank: plank = newValue
            }
        }
    }
}

extension DriveSetpoint {
    /// Power stage off: what a drive gets when nothing is asked of it.
    public static let disabled = DriveSetpoint(controlword: CiA402Controlword.disableVoltage.rawValue, mode: .profilePosition)
    /// Fault reset (controlword bit 7): a drive in fault goes to switch-on-disabled on the edge.
    public static let faultReset = DriveSetpoint(controlword: CiA402Controlword.faultReset.rawValue, mode: .profilePosition)
    /// Quick stop: brake on the quick-stop ramp, then power off.
    public static let quickStop = DriveSetpoint(controlword: CiA402Controlword.quickStop.rawValue, mode: .profilePosition)
}
