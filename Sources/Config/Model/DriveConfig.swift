/// One CiA 402 drive of the EOAT.
public struct DriveConfig: Equatable, Sendable {
    public var role: DriveRole
    /// The bus it hangs on (a key of `buses`).
    public var bus: String
    /// Modbus unit id (slave address), 1...247.
    public var unit: Int
    /// Register profile name (built in `cia402-direct`, or a key of `register_profiles`).
    public var profile: String
    /// Encoder counts per mm of travel at the tool (belt surface, jaw paddle, plank tip).
    public var countsPerMM: Double
    /// The drive's rated current; CiA 402 reports current in per mille of it.
    public var ratedCurrentMA: Double
    public var limits: DriveLimits
    public var location: SourceLocation

    /// The dotted name used in logs and the console: `bus0.drive.plank`.
    public var signalPrefix: String { "\(bus).drive.\(role.rawValue)" }
}

public struct DriveLimits: Equatable, Sendable {
    public var maxSpeedMMPerS: Double
    public var maxAccelerationMMPerS2: Double
    /// Current (force) limit; the drive's torque limit and the controller's stall check use it.
    public var maxCurrentMA: Double
    /// Travel limits for position-mode drives (jaw, plank); nil for belts.
    public var travelMM: ClosedRange<Double>?
}

extension DriveConfig {
    static func read(role: DriveRole, keyMark: SourceLocation, _ node: ConfigNode) -> DriveConfig? {
        guard let map = node.mapping() else { return nil }
        let bus = map.required("bus")?.name()
        let unit = map.required("unit")?.int(in: 1...247)
        let profile = map.optional("profile")?.name() ?? RegisterProfileConfig.cia402Direct.name
        let counts = map.required("counts_per_mm")?.double(in: 0.001...1_000_000, unit: "counts/mm")
        let rated = map.required("rated_current_ma")?.double(in: 1...200_000, unit: "mA")
        let limits = map.required("limits").flatMap { readLimits($0, role: role, ratedCurrentMA: rated) }
        map.finish()
        guard let bus, let unit, let counts, let rated, let limits else { return nil }
        return DriveConfig(role: role, bus: bus, unit: unit, profile: profile, countsPerMM: counts,
                           ratedCurrentMA: rated, limits: limits, location: keyMark)
    }

    private static func readLimits(_ node: ConfigNode, role: DriveRole, ratedCurrentMA: Double?) -> DriveLimits? {
        guard let map = node.mapping() else { return nil }
        let speed = map.required("speed_mm_s")?.double(in: 0.1...5000, unit: "mm/s")
        let accel = map.required("acceleration_mm_s2")?.double(in: 1...100_000, unit: "mm/s²")
        let currentNode = map.required("current_ma")
        let current = currentNode?.double(in: 1...200_000, unit: "mA")
        if let current, let ratedCurrentMA, current > 3 * ratedCurrentMA, let currentNode {
            node.reader.error(at: currentNode, "\(format(current)) mA is more than 3x the rated \(format(ratedCurrentMA)) mA",
                              hint: "CiA 402 drives cap peak current near 3x rated; check the drive's manual")
        }
        var travel: ClosedRange<Double>?
        let positional = role == .jaw || role == .plank
        let minNode = positional ? map.required("travel_min_mm") : map.optional("travel_min_mm")
        let maxNode = positional ? map.required("travel_max_mm") : map.optional("travel_max_mm")
        if !positional, let extra = minNode ?? maxNode {
            node.reader.error(at: extra, "belts run in velocity mode and have no travel limits", hint: "remove it")
        }
        if positional, let low = minNode?.double(in: -1000...1000, unit: "mm"),
           let highNode = maxNode, let high = highNode.double(in: -1000...1000, unit: "mm") {
            if low < high {
                travel = low...high
            } else {
                node.reader.error(at: highNode, "travel_max_mm must be greater than travel_min_mm (\(format(low)))")
            }
        }
        map.finish()
        guard let speed, let accel, let current else { return nil }
        if positional, travel == nil { return nil }
        return DriveLimits(maxSpeedMMPerS: speed, maxAccelerationMMPerS2: accel, maxCurrentMA: current, travelMM: travel)
    }
}
