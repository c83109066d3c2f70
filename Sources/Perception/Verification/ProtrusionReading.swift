/// What sticks out past the bin front, from one frame.
public struct ProtrusionReading: Equatable, Sendable {
    /// Face-plane area of everything at least `PerceptionSettings.protrusionMM` in front of the
    /// face plane, inside the opening.
    public var areaMM2: Double
    /// How far the most protruding pixel stands in front of the face plane (0 when none).
    public var maxProtrusionMM: Double
    /// `areaMM2` reached `PerceptionSettings.minProtrusionAreaMM2`.
    public var protrudes: Bool

    public init(areaMM2: Double, maxProtrusionMM: Double, protrudes: Bool) {
        self.areaMM2 = areaMM2
        self.maxProtrusionMM = maxProtrusionMM
        self.protrudes = protrudes
    }

    public static let none = ProtrusionReading(areaMM2: 0, maxProtrusionMM: 0, protrudes: false)
}
