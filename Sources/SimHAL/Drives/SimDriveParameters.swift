// What one simulated CiA 402 axis is made of: scaling, limits, and the mechanics behind its
// current. The first six come from the robot config; the last four are not in the config (a
// real drive does not know them either) and take defaults per role.
import Config

/// The numbers that describe one simulated axis, in tool units (mm at the tool, mA, N, kg).
public struct SimDriveParameters: Equatable, Sendable {
    /// The drive's name in config and logs: `plank`.
    public var name: String
    /// Encoder counts per mm at the tool; positions travel as mm x this, velocities as counts/s.
    public var countsPerMM: Double
    /// What 1000 per mille in 0x6078 means.
    public var ratedCurrentMA: Double
    /// Fastest the profile generator runs, whatever 0x6081 or 0x60FF ask for.
    public var maxSpeedMMPerS: Double
    /// Steepest ramp of the profile generator, whatever 0x6083 or 0x6084 ask for.
    public var maxAccelerationMMPerS2: Double
    /// Torque (current) limit: the motor never draws more.
    public var maxCurrentMA: Double
    /// Software travel limits; nil for belts (velocity axes without ends).
    public var travelMM: ClosedRange<Double>?
    /// Force at the tool per amp of motor current.
    public var forceConstantNPerA: Double
    /// Friction and holding current drawn whenever the power stage is on.
    public var idleCurrentMA: Double
    /// Mass moved by the axis: current needed to accelerate it.
    public var movingMassKG: Double
    /// Following error (demand minus actual position) above which the drive faults with 0x8611.
    public var followingErrorWindowMM: Double

    public init(
        name: String, countsPerMM: Double, ratedCurrentMA: Double, maxSpeedMMPerS: Double,
        maxAccelerationMMPerS2: Double, maxCurrentMA: Double, travelMM: ClosedRange<Double>?,
        forceConstantNPerA: Double, idleCurrentMA: Double, movingMassKG: Double, followingErrorWindowMM: Double
    ) {
        self.name = name
        self.countsPerMM = countsPerMM
        self.ratedCurrentMA = ratedCurrentMA
        self.maxSpeedMMPerS = maxSpeedMMPerS
        self.maxAccelerationMMPerS2 = maxAccelerationMMPerS2
        self.maxCurrentMA = maxCurrentMA
        self.travelMM = travelMM
        self.forceConstantNPerA = forceConstantNPerA
        self.idleCurrentMA = idleCurrentMA
        self.movingMassKG = movingMassKG
        self.followingErrorWindowMM = followingErrorWindowMM
    }

    /// The axis a config drive describes, with the role's mechanics (see `SimDriveMechanics`).
    public init(config: DriveConfig) {
        let mechanics = SimDriveMechanics.defaults(for: config.role)
        self.init(
            name: config.role.rawValue, countsPerMM: config.countsPerMM, ratedCurrentMA: config.ratedCurrentMA,
            maxSpeedMMPerS: config.limits.maxSpeedMMPerS, maxAccelerationMMPerS2: config.limits.maxAccelerationMMPerS2,
            maxCurrentMA: config.limits.maxCurrentMA, travelMM: config.limits.travelMM,
            forceConstantNPerA: mechanics.forceConstantNPerA, idleCurrentMA: mechanics.idleCurrentMA,
            movingMassKG: mechanics.movingMassKG, followingErrorWindowMM: mechanics.followingErrorWindowMM)
    }

    /// The axis of `role` as `firmware-config/sim.yaml` describes it (scaling and limits), with the
    /// role's mechanics, for tools and tests that run a drive without a config file
    /// (`stowctl sim-drive --role plank`). `SimDriveParametersTests` loads sim.yaml and checks
    /// that these equal `init(config:)` of its drives, so the two cannot drift apart.
    public static func defaults(for role: DriveRole) -> SimDriveParameters {
        let mechanics = SimDriveMechanics.defaults(for: role)
        let scaling: (countsPerMM: Double, ratedMA: Double, speed: Double, accel: Double, maxMA: Double, travel: ClosedRange<Double>?)
        switch role {
        case .jaw: scaling = (400, 2000, 150, 1500, 1300, 0...160)
        case .leftBelt, .rightBelt: scaling = (79.6, 1500, 600, 4000, 2000, nil)
        case .plank: scaling = (200, 3000, 400, 3000, 1600, 0...320)
        }
        return SimDriveParameters(
            name: role.rawValue, countsPerMM: scaling.countsPerMM, ratedCurrentMA: scaling.ratedMA,
            maxSpeedMMPerS: scaling.speed, maxAccelerationMMPerS2: scaling.accel, maxCurrentMA: scaling.maxMA,
            travelMM: scaling.travel, forceConstantNPerA: mechanics.forceConstantNPerA,
            idleCurrentMA: mechanics.idleCurrentMA, movingMassKG: mechanics.movingMassKG,
            followingErrorWindowMM: mechanics.followingErrorWindowMM)
    }

    /// Force the motor can deliver beyond its idle current, at the current limit.
    public var availableForceN: Double {
        max(0, maxCurrentMA - idleCurrentMA) / 1000 * forceConstantNPerA
    }
}

/// The mechanics of one axis that the config does not describe. Rough figures for the EOAT's
/// axes: a ball-screw jaw, two light belts, a heavy plank on a rack. Good enough that current
/// rises visibly with load and a stall shows up well before anything breaks.
///
/// The jaw and plank make force-limited moves (the controller stops them on current, read at the
/// bus rate), so their following-error windows are set wide, as one would configure 0x6065 on a
/// gripper: a stall must last a few bus cycles before the drive faults.
public struct SimDriveMechanics: Equatable, Sendable {
    public var forceConstantNPerA: Double
    public var idleCurrentMA: Double
    public var movingMassKG: Double
    public var followingErrorWindowMM: Double

    public static func defaults(for role: DriveRole) -> SimDriveMechanics {
        switch role {
        case .jaw:
            return SimDriveMechanics(forceConstantNPerA: 60, idleCurrentMA: 150, movingMassKG: 0.8, followingErrorWindowMM: 40)
        case .leftBelt, .rightBelt:
            return SimDriveMechanics(forceConstantNPerA: 40, idleCurrentMA: 200, movingMassKG: 0.5, followingErrorWindowMM: 20)
        case .plank:
            return SimDriveMechanics(forceConstantNPerA: 80, idleCurrentMA: 300, movingMassKG: 2.5, followingErrorWindowMM: 120)
        }
    }
}
