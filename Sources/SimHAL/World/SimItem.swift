/// What an item is made of, which decides how it grips, squashes and breaks.
public enum ItemKind: String, CaseIterable, Sendable {
    case rigidBox = "rigid-box"
    case softBag = "soft-bag"
    case book
    case round
}

/// One physical item: a stow candidate in the item stream, or something already in a bin.
/// Sizes are the item's own axes as it sits in a bin: width across the bin, height up, depth into it.
public struct SimItem: Equatable, Sendable {
    /// `item-000042` for the stream, `bin-r1c2-3` for initial contents.
    public var id: String
    public var kind: ItemKind
    public var widthMM: Double
    public var heightMM: Double
    public var depthMM: Double
    public var massKG: Double
    /// Force above which the item is damaged (crushed, torn, dented).
    public var fragilityN: Double
    /// How much the item yields when squeezed: N per mm of compression. Soft bags are low.
    public var stiffnessNPerMM: Double
    /// How far the item can be squeezed before it behaves as rigid.
    public var maxCompressionMM: Double

    public init(
        id: String, kind: ItemKind, widthMM: Double, heightMM: Double, depthMM: Double, massKG: Double,
        fragilityN: Double, stiffnessNPerMM: Double, maxCompressionMM: Double
    ) {
        self.id = id
        self.kind = kind
        self.widthMM = widthMM
        self.heightMM = heightMM
        self.depthMM = depthMM
        self.massKG = massKG
        self.fragilityN = fragilityN
        self.stiffnessNPerMM = stiffnessNPerMM
        self.maxCompressionMM = maxCompressionMM
    }

    /// Weight in newtons.
    public var weightN: Double { massKG * SimPhysics.gravityMPerS2 }
}

/// Constants of the simple mechanics, in one place so every rule uses the same numbers.
public enum SimPhysics {
    public static let gravityMPerS2 = 9.81
    /// Sliding friction of items on the bin's fabric floor and against each other.
    public static let floorFriction = 0.45
    /// Grip friction between a belt and an item.
    public static let beltFriction = 0.8
    /// How far a fabric side wall bulges before it is taut, and its stiffness while bulging.
    public static let wallBulgeMM = 15.0
    public static let wallStiffnessNPerMM = 4.0
    /// Force a taut fabric wall or back takes before the plank can push no further.
    public static let tautWallN = 400.0
    /// Thickness of one jaw paddle; the tool is this much wider than the item on each side.
    public static let paddleThicknessMM = 8.0
    /// Thickness of the plank blade.
    public static let plankThicknessMM = 4.0
    /// Time for the band-separator hook to swing in or out.
    public static let bandSeparatorStrokeMS = 60.0
    /// Time for the induct conveyor to hand an item into open jaws.
    public static let inductTransferMS = 350.0
    /// Speed of the arm's short moves (advance into a bin, sweep) in mm/s.
    public static let armLinearSpeedMMPerS = 250.0
}
