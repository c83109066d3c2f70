import Config
import HAL

extension DriveMotionProfile {
    /// How the stow cycle moves the axis of `role`: at its `stow.speeds_mm_s` (the belts share
    /// one), ramping at the drive's configured acceleration limit both ways. Nil when the config
    /// has no such drive.
    static func stow(_ role: DriveRole, config: RobotConfig) -> DriveMotionProfile? {
        guard let drive = config.drive(role) else { return nil }
        let speeds = config.stow
        let speedMMPerS: Double
        switch role {
        case .jaw: speedMMPerS = speeds.jawSpeedMMPerS
        case .plank: speedMMPerS = speeds.plankSpeedMMPerS
        case .leftBelt, .rightBelt: speedMMPerS = speeds.beltSpeedMMPerS
        }
        let accelerationMMPerS2 = drive.limits.maxAccelerationMMPerS2
        return DriveMotionProfile(velocityMMPerS: speedMMPerS, accelerationMMPerS2: accelerationMMPerS2,
                                  decelerationMMPerS2: accelerationMMPerS2)
    }
}
