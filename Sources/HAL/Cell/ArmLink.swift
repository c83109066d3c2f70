/// The industrial arm that carries the EOAT. The arm has its own controller; we ask it for a
/// pose and it answers on the `arm.in-position` input. It moves only while we assert `eoat.ready`.
public protocol ArmLink: AnyObject {
    /// `arm`, as in logs.
    var name: String { get }
    /// Asks for a move. Returns at once; `arm.in-position` drops while the arm moves and rises
    /// when it has arrived. Throws `HALError` when the arm refuses (unknown bin, out of reach).
    func requestMove(to pose: ArmPose) throws
}

/// Where the tool should be.
public struct ArmPose: Equatable, Sendable, CustomStringConvertible {
    public enum Station: Equatable, Sendable {
        /// Where items are handed into the jaws.
        case induct
        /// Where items that cannot be stowed are put down for a person.
        case sideline
        /// In front of a pod bin, by name (`r1c2`).
        case bin(String)
    }

    public var station: Station
    /// Tool centre across the bin opening, from the bin's left wall (bin stations only).
    public var xMM: Double
    /// How far the tool tip is past the bin front (the band plane); negative = in front of it.
    public var advanceMM: Double

    public init(station: Station, xMM: Double = 0, advanceMM: Double = 0) {
        self.station = station
        self.xMM = xMM
        self.advanceMM = advanceMM
    }

    public static let induct = ArmPose(station: .induct)
    public static let sideline = ArmPose(station: .sideline)

    public var description: String {
        switch station {
        case .induct: return "induct"
        case .sideline: return "sideline"
        case let .bin(name): return "bin \(name) x \(Self.wholeMM(xMM)) mm advance \(Self.wholeMM(advanceMM)) mm"
        }
    }

    /// Rounded to whole mm; a value no pose can have (nan, infinite, beyond 10^12) as Swift spells it,
    /// so that describing a bad pose in an error never traps.
    private static func wholeMM(_ value: Double) -> String {
        value.isFinite && abs(value) < 1e12 ? "\(Int(value.rounded()))" : "\(value)"
    }
}
