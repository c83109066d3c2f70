import HAL

/// Where a bin opening falls in the image: the rectangle of pixels that look through the
/// opening at the face plane (the band plane). Pixels outside it see the pod frame or another
/// bin. Assumes the optical axis is normal to the face (see `CameraPose`).
struct OpeningProjection: Equatable {
    /// Image columns `firstColumn..<endColumn` and rows `firstRow..<endRow`; empty when the
    /// opening is out of view.
    var firstColumn: Int
    var endColumn: Int
    var firstRow: Int
    var endRow: Int

    var width: Int { max(0, endColumn - firstColumn) }
    var height: Int { max(0, endRow - firstRow) }
    var isEmpty: Bool { width == 0 || height == 0 }

    /// The opening's rectangle at the face plane, shrunk by `insetPixels` on every side (the
    /// outermost pixels mix the frame and the bin), clipped to the image.
    init(opening: BinOpening, intrinsics: PinholeIntrinsics, pose: CameraPose, imageWidth: Int, imageHeight: Int, insetPixels: Int = 1) {
        let scaleX = intrinsics.fx / pose.standoffMM
        let scaleY = intrinsics.fy / pose.standoffMM
        let leftU = intrinsics.cx + (opening.xMM - pose.xMM) * scaleX
        let rightU = intrinsics.cx + (opening.xMM + opening.widthMM - pose.xMM) * scaleX
        // Image rows grow downward while face y grows upward.
        let topV = intrinsics.cy - (opening.yMM + opening.heightMM - pose.yMM) * scaleY
        let bottomV = intrinsics.cy - (opening.yMM - pose.yMM) * scaleY
        firstColumn = Self.clamp(Int(leftU.rounded(.up)) + insetPixels, imageWidth)
        endColumn = Self.clamp(Int(rightU.rounded(.down)) - insetPixels, imageWidth)
        firstRow = Self.clamp(Int(topV.rounded(.up)) + insetPixels, imageHeight)
        endRow = Self.clamp(Int(bottomV.rounded(.down)) - insetPixels, imageHeight)
        if endColumn < firstColumn { endColumn = firstColumn }
        if endRow < firstRow { endRow = firstRow }
    }

    private static func clamp(_ value: Int, _ limit: Int) -> Int {
        min(limit, max(0, value))
    }
}
