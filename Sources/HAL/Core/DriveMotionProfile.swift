/// How fast a drive's own profile generator moves the axis, in tool units: CiA 402 objects
/// 0x6081 (profile velocity), 0x6083 (profile acceleration) and 0x6084 (profile deceleration),
/// scaled by the drive's counts per mm.
///
/// Profile-position moves run at `velocityMMPerS`; profile-velocity runs ramp to their target
/// with these rates. A drive never goes beyond its own limits whatever is asked here.
public struct DriveMotionProfile: Equatable, Sendable {
    public var velocityMMPerS: Double
    public var accelerationMMPerS2: Double
    public var decelerationMMPerS2: Double

    public init(velocityMMPerS: Double, accelerationMMPerS2: Double, decelerationMMPerS2: Double) {
        self.velocityMMPerS = velocityMMPerS
        self.accelerationMMPerS2 = accelerationMMPerS2
        self.decelerationMMPerS2 = decelerationMMPerS2
    }
}
