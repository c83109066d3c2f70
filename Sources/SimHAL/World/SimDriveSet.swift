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
        func make(_ role: DriveRole) throws -> SimDrive {
            guard let config = drives.first(where: { $0.role == role }) else {
                throw HALError(device: "sim", cause: .invalidRequest("no drive with role \(role.rawValue) in config"))
            }
            let parameters = SimDriveParameters(config: config)
            let start = role == .jaw ? (parameters.travelMM?.upperBound ?? 0) : (parameters.travelMM?.lowerBound ?? 0)
            return SimDrive(parameters: parameters, startPositionMM: start)
        }
        jaw = try make(.jaw)
        leftBelt = try make(.leftBelt)
        rightBelt = try make(.rightBelt)
        plank = try make(.plank)
    }

    /// The drives of `firmware-config/sim.yaml`, for worlds built without a robot config.
    public static func standard() -> SimDriveSet {
        SimDriveSet(
            jaw: SimDrive(parameters: standardParameters("jaw", counts: 400, rated: 2000, speed: 150, accel: 1500, current: 1800,
                                                          travel: 0...160, forceConstant: 40, mass: 0.4),
                          startPositionMM: 160),
            leftBelt: SimDrive(parameters: standardParameters("left-belt", counts: 79.6, rated: 1500, speed: 600, accel: 4000,
                                                               current: 2000, travel: nil, forceConstant: 30, mass: 0.3)),
            rightBelt: SimDrive(parameters: standardParameters("right-belt", counts: 79.6, rated: 1500, speed: 600, accel: 4000,
                                                                current: 2000, travel: nil, forceConstant: 30, mass: 0.3)),
            plank: SimDrive(parameters: standardParameters("plank", counts: 200, rated: 3000, speed: 400, accel: 3000, current: 4500,
                                                            travel: 0...320, forceConstant: 60, mass: 0.8)))
    }

    private init(jaw: SimDrive, leftBelt: SimDrive, rightBelt: SimDrive, plank: SimDrive) {
        self.jaw = jaw
        self.leftBelt = leftBelt
        self.rightBelt = rightBelt
        self.plank = plank
    }

    private static func standardParameters(
        _ name: String, counts: Double, rated: Double, speed: Double, accel: Double, current: Double,
        travel: ClosedRange<Double>?, forceConstant: Double, mass: Double
    ) -> SimDriveParameters {
        SimDriveParameters(
            name: name, countsPerMM: counts, ratedCurrentMA: rated, maxSpeedMMPerS: speed, maxAccelerationMMPerS2: accel,
            maxCurrentMA: current, travelMM: travel, forceConstantNPerA: forceConstant, idleCurrentMA: 80,
            movingMassKG: mass, followingErrorWindowMM: 10)
    }
}
