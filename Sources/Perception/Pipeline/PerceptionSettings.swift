/// The tuning of the perception pipeline, in plain values (Perception does not import Config:
/// stowctl copies what the robot config says into one of these).
///
/// Defaults suit a 640x480 depth camera a few hundred mm in front of bins some 300 mm wide,
/// with about 2 mm depth noise. docs/perception.md says what each one trades.
public struct PerceptionSettings: Equatable, Sendable {
    // MARK: Bin grid

    /// Width of one grid column across the bin. Widened automatically so a bin has at most
    /// `BinGrid.maxColumns` columns.
    public var cellWidthMM: Double = 2.5
    /// Height of one grid row.
    public var cellHeightMM: Double = 5
    /// Points this close to a side wall, the floor or the ceiling are the bin itself, not
    /// contents, and are left out.
    public var wallMarginMM: Double = 5

    // MARK: Bands

    /// A pixel within this distance of the face plane (either side) may belong to a band.
    public var bandNearPlaneMM: Double = 30
    /// A near-plane run thicker than this (measured on the face) is a surface, not a band.
    public var bandMaxThicknessMM: Double = 30
    /// A band row must have band pixels across at least this share of the opening's width where
    /// no surface is flush with the face (a band in front of a flush item cannot be told from it).
    public var bandMinCoverage: Double = 0.3
    /// ... and across at least this share of the whole width.
    public var bandMinVisibleShare: Double = 0.1
    /// Rows of masked pixels added above and below a band (edge pixels mix band and background).
    public var bandMaskDilationRows: Int = 1

    // MARK: Gaps

    /// Narrowest gap reported.
    public var minGapWidthMM: Double = 40
    /// Shallowest gap reported: a column counts as free only where it is at least this deep.
    public var minGapDepthMM: Double = 60
    /// Lowest gap reported: a column counts as free only if it is free at least this high.
    public var minGapHeightMM: Double = 40
    /// Neighbouring free columns whose depths differ by more than this start a new gap (the space
    /// in front of a shallow item is a different gap from the space beside it).
    public var gapDepthStepMM: Double = 30

    // MARK: Protrusion and verification

    /// Anything this far in front of the face plane, inside the opening, protrudes.
    public var protrusionMM: Double = 15
    /// Protruding surface smaller than this (on the face) is noise.
    public var minProtrusionAreaMM2: Double = 150
    /// A grid cell changed when its depth moved by at least this much between two frames.
    public var changeMM: Double = 20
    /// Occupied volume smaller than this is not an item (for placed / left-the-bin).
    public var minItemVolumeMM3: Double = 40_000
    /// A cell within this distance of the back wall shows the back wall (nothing in front).
    public var backWallMarginMM: Double = 20

    public init() {}
}
