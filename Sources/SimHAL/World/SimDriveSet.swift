import Config
import HAL

/// The four drives of the EOAT, by role.
public struct SimDriveSet {
    public let jaw: SimDrive
    public let leftBelt: SimDrive
    public let rightBelt: SimDrive
    public let plank: SimDrive

    public var all: [SimDrive] { [jaw, leftBelt, rightBelt, plank] }

    public func drive(_ role: DriveRole) -> SimDrive {
        switch role {
        case .jaw: return jaw
        case .leftBelt: return leftBelt
        case .rightBelt: return rightBelt
        case .plank: return plank
        }
    }

    /// Drives as configured. The jaw starts fully open, the plank home.
    public init(drives: [DriveConfig]) throws {
        func parameters(_ role: DriveRole) throws -> SimDriveParameters {
            guard let config = drives.first(where: { $0.role == role }) else {
                throw HALError(device: "sim", cause: .invalidRequest("no drive with role \(role.rawValue) in config"))
            }
            return SimDriveParameters(config: config)
        }
        self.init(jaw: try parameters(.jaw), leftBelt: try parameters(.leftBelt), rightBelt: try parameters(.rightBelt),
                  plank: try parameters(.plank))
    }

    /// The drives of `firmware-config/sim.yaml` (`SimDriveParameters.defaults(for:)`), for worlds
    /// built without a robot config.
    public static func standard() -> SimDriveSet {
        SimDriveSet(jaw: .defaults(for: .jaw), leftBelt: .defaults(for: .leftBelt), rightBelt: .defaults(for: .rightBelt),
                    plank: .defaults(for: .plank))
    }

    private init(jaw: SimDriveParameters, leftBelt: SimDriveParameters, rightBelt: SimDriveParameters, plank: SimDriveParameters) {
        self.jaw = SimDrive(parameters: jaw, startPositionMM: jaw.travelMM?.upperBound ?? 0)
        self.leftBelt = SimDrive(parameters: leftBelt)
        self.rightBelt = SimDrive(parameters: rightBelt)
        self.plank = SimDrive(parameters: plank, startPositionMM: plank.travelMM?.lowerBound ?? 0)
    }
}
