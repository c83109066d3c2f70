/// A motor drive: the CiA 402 view of one axis, exchanged cyclically.
///
/// A drive is driven the way a fieldbus drives it: every cycle the master sends a setpoint
/// (controlword, mode, target) and reads feedback (statusword, actual values). The Modbus CiA 402
/// backend and the simulator implement this; the bus scheduler calls it.
public protocol MotorDrive: AnyObject {
    /// The drive's name from config (`plank`), used in faults and logs.
    var name: String { get }
    /// One cyclic exchange: writes `setpoint`, then reads feedback. Throws `HALError`.
    func exchange(_ setpoint: DriveSetpoint, deadline: MonotonicInstant) throws -> DriveFeedback
}

/// CiA 402 modes of operation used by the EOAT (object 0x6060).
public enum DriveMode: Int8, Sendable, CaseIterable {
    case profilePosition = 1
    case profileVelocity = 3
}

/// What the master asks of a drive in one cycle.
public struct DriveSetpoint: Equatable, Sendable {
    /// CiA 402 controlword (object 0x6040).
    public var controlword: UInt16
    public var mode: DriveMode
    /// Target position in mm (object 0x607A after scaling); used in profile-position mode.
    public var targetPositionMM: Double
    /// Target velocity in mm/s (object 0x60FF after scaling); used in profile-velocity mode.
    public var targetVelocityMMPerS: Double
    /// Profile velocity and ramps (0x6081, 0x6083, 0x6084). The drive writes them while it is
    /// enabled and whenever they change; nil leaves what the drive has.
    public var motionProfile: DriveMotionProfile?

    public init(controlword: UInt16, mode: DriveMode, targetPositionMM: Double = 0, targetVelocityMMPerS: Double = 0,
                motionProfile: DriveMotionProfile? = nil) {
        self.controlword = controlword
        self.mode = mode
        self.targetPositionMM = targetPositionMM
        self.targetVelocityMMPerS = targetVelocityMMPerS
        self.motionProfile = motionProfile
    }
}

/// What a drive reports in one cycle.
public struct DriveFeedback: Equatable, Sendable {
    /// CiA 402 statusword (object 0x6041).
    public var statusword: UInt16
    /// Position actual value (0x6064), scaled to mm.
    public var positionMM: Double
    /// Velocity actual value (0x606C), scaled to mm/s.
    public var velocityMMPerS: Double
    /// Current actual value (0x6078), in milliamps after scaling from per-mille of rated current.
    public var currentMilliamps: Double
    /// Error code (0x603F); 0 when no error.
    public var errorCode: UInt16

    public init(statusword: UInt16, positionMM: Double, velocityMMPerS: Double, currentMilliamps: Double, errorCode: UInt16) {
        self.statusword = statusword
        self.positionMM = positionMM
        self.velocityMMPerS = velocityMMPerS
        self.currentMilliamps = currentMilliamps
        self.errorCode = errorCode
    }
}
