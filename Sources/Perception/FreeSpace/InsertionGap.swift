/// A free space on the bin floor an item could be pushed into, in bin coordinates: x from the
/// bin's left wall, depth from the bin front (the band plane), height from the floor.
public struct InsertionGap: Equatable, Sendable {
    /// Left edge of the gap.
    public var xMM: Double
    public var widthMM: Double
    /// Free depth from the bin front: the shallowest column of the gap.
    public var depthMM: Double
    /// Free height from the floor: the lowest column of the gap.
    public var heightMM: Double
    /// Share of the gap's grid cells seen directly rather than estimated behind a band or a
    /// dropout (0...1).
    public var confidence: Double

    public init(xMM: Double, widthMM: Double, depthMM: Double, heightMM: Double, confidence: Double) {
        self.xMM = xMM
        self.widthMM = widthMM
        self.depthMM = depthMM
        self.heightMM = heightMM
        self.confidence = confidence
    }

    public var rightMM: Double { xMM + widthMM }

    /// True when an item of this size (plus clearance already added by the caller) fits.
    public func fits(widthMM itemWidthMM: Double, heightMM itemHeightMM: Double, depthMM itemDepthMM: Double) -> Bool {
        itemWidthMM <= widthMM && itemHeightMM <= heightMM && itemDepthMM <= depthMM
    }

    static let none = InsertionGap(xMM: 0, widthMM: 0, depthMM: 0, heightMM: 0, confidence: 0)
}
