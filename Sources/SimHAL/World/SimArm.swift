import HAL

/// The industrial arm as the EOAT sees it: a pose it is at or moving to, and the time it takes.
///
/// A move between stations (induct, sideline, a bin) takes the configured arm move time; a move
/// within one bin's station (sideways, advancing into the bin) runs at a linear speed. The arm
/// moves only while `eoat.ready` is asserted, and pauses where it is while it is not.
public struct SimArm: Sendable {
    /// Where the tool is. While travelling between stations, `station` is nil.
    public private(set) var station: ArmPose.Station?
    public private(set) var xMM: Double
    public private(set) var advanceMM: Double
    public private(set) var target: ArmPose
    private var remainingNanoseconds: UInt64 = 0
    private let stationMoveNanoseconds: UInt64

    public init(moveMS: Double) {
        station = .induct
        xMM = 0
        advanceMM = 0
        target = .induct
        stationMoveNanoseconds = UInt64(moveMS * 1_000_000)
    }

    public var inPosition: Bool { remainingNanoseconds == 0 && station == target.station }

    /// Starts a move; a new request replaces the one in progress.
    public mutating func request(_ pose: ArmPose) {
        if station == pose.station {
            let distanceMM = abs(pose.xMM - xMM) + abs(pose.advanceMM - advanceMM)
            remainingNanoseconds = UInt64(distanceMM / SimPhysics.armLinearSpeedMMPerS * 1e9)
        } else {
            station = nil
            remainingNanoseconds = max(1, stationMoveNanoseconds)
        }
        target = pose
    }

    /// Advances the move by `nanoseconds` if `ready`. Returns true on the step the arm arrives.
    public mutating func step(byNanoseconds nanoseconds: UInt64, ready: Bool) -> Bool {
        guard ready, remainingNanoseconds > 0 else { return false }
        let moved = min(nanoseconds, remainingNanoseconds)
        if station != nil {
            // Linear move within a station: interpolate toward the target.
            let share = Double(moved) / Double(remainingNanoseconds)
            xMM += (target.xMM - xMM) * share
            advanceMM += (target.advanceMM - advanceMM) * share
        }
        remainingNanoseconds -= moved
        guard remainingNanoseconds == 0 else { return false }
        station = target.station
        xMM = target.xMM
        advanceMM = target.advanceMM
        return true
    }
}
