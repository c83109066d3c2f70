/// One elastic band found across a bin opening.
public struct DetectedBand: Equatable, Sendable {
    /// Image rows the band covers (inclusive), before the mask is dilated.
    public var topRow: Int
    public var bottomRow: Int
    /// Height of the band's centre above the bin floor, on the face plane.
    public var heightMM: Double
    /// Band thickness on the face plane, from its row span.
    public var thicknessMM: Double
    /// Share of the opening's width where the band was seen, at its best row (0...1).
    public var coverage: Double

    public init(topRow: Int, bottomRow: Int, heightMM: Double, thicknessMM: Double, coverage: Double) {
        self.topRow = topRow
        self.bottomRow = bottomRow
        self.heightMM = heightMM
        self.thicknessMM = thicknessMM
        self.coverage = coverage
    }

    static let none = DetectedBand(topRow: 0, bottomRow: 0, heightMM: 0, thicknessMM: 0, coverage: 0)
}
