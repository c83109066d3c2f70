import HAL

/// What the world does to one simulated axis during the next step.
///
/// The world sets it before each `SimDrive.step`: contents the plank pushes, an item the jaw
/// closes on (a hard stop), the bin wall a belt-driven item runs into.
public struct SimDriveLoad: Equatable, Sendable {
    /// Force (N, >= 0) that opposes motion, like friction: it can stop the axis but never drive
    /// it backwards.
    public var resistingForceN: Double
    /// Hard stop: the axis cannot go below this position (mm).
    public var blockedBelowMM: Double?
    /// Hard stop: the axis cannot go above this position (mm).
    public var blockedAboveMM: Double?
    /// Force (N, >= 0) a spring-like load presses back with while the axis stands still (an item
    /// squeezed between the jaws): the motor must supply it to hold position, so it shows up as
    /// current at rest.
    public var holdingForceN: Double

    public init(resistingForceN: Double = 0, blockedBelowMM: Double? = nil, blockedAboveMM: Double? = nil, holdingForceN: Double = 0) {
        self.resistingForceN = resistingForceN
        self.blockedBelowMM = blockedBelowMM
        self.blockedAboveMM = blockedAboveMM
        self.holdingForceN = holdingForceN
    }

    /// Nothing in the way.
    public static let free = SimDriveLoad()
}

/// A fault injected into a simulated drive (from config, the console or a test).
public enum SimDriveFault: Equatable, Sendable {
    /// The drive faults with this error code in 0x603F (fault reaction, then `fault`), as a real
    /// drive does on over-current or over-temperature. Latched until a fault reset; code 0 is
    /// reported as 0x1000 (generic error), since 0 means "no error".
    case errorCode(UInt16)
    /// The axis seizes where it is (a jammed mechanism): commanded motion builds following error
    /// until the drive faults with 0x8611. Lasts until `clearInjectedFaults()`.
    case stall
    /// Statusword and actual values (0x6041, 0x6064, 0x606C, 0x6078) stop changing on the bus
    /// while the axis keeps moving, like a drive whose feedback task hung. Lasts until
    /// `clearInjectedFaults()`.
    case frozenFeedback
}

/// Why a simulated drive refused an object write. The Modbus server turns `.readOnly` into
/// exception 02 (illegal data address) and the others into exception 03 (illegal data value).
public enum SimDriveWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    case readOnly(CiA402Object)
    case outOfRange(CiA402Object, value: Int64, allowed: ClosedRange<Int64>)
    case refused(CiA402Object, value: Int64, reason: String)

    public var description: String {
        switch self {
        case let .readOnly(object):
            return "\(object) is read-only: write the controlword, mode, targets or profile objects instead"
        case let .outOfRange(object, value, allowed):
            return "\(value) is outside \(allowed.lowerBound)...\(allowed.upperBound) for \(object)"
        case let .refused(object, value, reason):
            return "\(object) refuses \(value): \(reason)"
        }
    }
}
