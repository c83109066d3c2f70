import HAL

/// Free space proven by the rays themselves: every pixel's ray enters the bin through its front
/// and travels through empty space until it hits a surface, so each grid cell it passes on the
/// way is free at least as deep as the ray was when it crossed it.
///
/// The grid alone only knows where rays end. When the camera looks into a bin at a steep angle
/// (the top row seen from below, the outer columns seen from the side), the rays through the
/// spot an item left end on a side wall, the ceiling or the floor, which the grid ignores, so
/// that spot stays unseen and "item left the bin" went unnoticed there. `StowVerifier` reads the
/// carved depth of cells the after frame did not see.
///
/// Cost: one step per cell a ray crosses. Rays are traced one per cell width on the face (every
/// pixel at sim.yaml's 2.1 mm per pixel, every 3rd in each direction at 0.7 mm), and each steps
/// about one cell sideways at a time, at most `maxStepMM` deep; the pipeline traces only bins
/// that have a verification baseline (one bin, during Verify), and there only the rays that can
/// cross a cell whose carved depth the verification reads (`CarvingTargets`): the other cells'
/// carved depths are left short.
enum RayCarving {
    /// Depth between samples along a ray: what moves it one cell sideways, within these bounds.
    static let minStepMM: Float = 5
    static let maxStepMM: Float = 25
    /// Stop this far in front of the surface a ray hit: depth noise must not carve into it.
    static let surfaceMarginMM: Float = 15

    /// Traces the unmasked pixels of `region` that can reach one of `targets` into
    /// `grid.carvedMM`. `columnSlope[u]` is (u - cx) / fx and `rowSlope[v]` is (v - cy) / fy;
    /// pixels of masked band rows within `bandDepthRange` of the camera ended on a band at the
    /// front and prove nothing.
    static func carve(
        pixels: UnsafePointer<UInt16>, frameWidth: Int, pose: CameraPose, opening: BinOpening, region: OpeningProjection,
        columnSlope: UnsafePointer<Float>, rowSlope: UnsafePointer<Float>, bandRows: UnsafePointer<UInt8>,
        bandDepthRange: ClosedRange<UInt16>, grid: BinGrid, targets: CarvingTargets
    ) {
        let standoff = Float(pose.standoffMM)
        let xBase = Float(pose.xMM - opening.xMM)
        let heightBase = Float(pose.yMM - opening.yMM)
        let widthMM = Float(opening.widthMM)
        let heightMM = Float(opening.heightMM)
        let binDepth = Float(opening.depthMM)
        let inverseCellWidth = Float(1 / grid.cellWidthMM)
        let inverseCellHeight = Float(1 / grid.cellHeightMM)
        let gridColumns = grid.columns
        let lastColumn = gridColumns - 1
        let lastRow = grid.rows - 1
        let carved = grid.carvedMM
        let cellWidth = Float(grid.cellWidthMM)
        let cellHeight = Float(grid.cellHeightMM)
        // One ray per cell width on the face: the face spans standoff / fx mm per pixel.
        let faceMMPerPixel = abs(columnSlope[min(region.firstColumn + 1, region.endColumn - 1)] - columnSlope[region.firstColumn]) * standoff
        let pixelStride = faceMMPerPixel > 0 ? max(1, Int(cellWidth / faceMMPerPixel)) : 1

        for row in stride(from: 0, to: region.height, by: pixelStride) {
            let v = region.firstRow + row
            let slopeV = rowSlope[v]
            let line = pixels + v * frameWidth + region.firstColumn
            let slopes = columnSlope + region.firstColumn
            let bandRow = bandRows[row] != 0
            let rowStep = abs(slopeV) > 0 ? cellHeight / abs(slopeV) : maxStepMM
            for column in stride(from: 0, to: region.width, by: pixelStride) {
                let raw = line[column]
                if raw == 0 || (bandRow && bandDepthRange.contains(raw)) { continue }
                let slopeU = slopes[column]
                let columnStep = abs(slopeU) > 0 ? cellWidth / abs(slopeU) : maxStepMM
                let stepMM = min(maxStepMM, max(minStepMM, min(rowStep, columnStep)))
                let end = min(binDepth, Float(raw) - standoff - surfaceMarginMM)
                if end < stepMM { continue }
                // The steps lie between the first and `end`, and each coordinate moves one way
                // along the ray (rounding keeps that order), so they cross no cell outside this
                // rectangle; skip the ray if no target is in it.
                let near = standoff + stepMM, far = standoff + end
                let columns = cellSpan(xBase + slopeU * near, xBase + slopeU * far, scale: inverseCellWidth, last: lastColumn)
                let rows = cellSpan(heightBase - slopeV * near, heightBase - slopeV * far, scale: inverseCellHeight, last: lastRow)
                if targets.count(firstColumn: columns.first, lastColumn: columns.last, firstRow: rows.first, lastRow: rows.last) == 0 {
                    continue
                }
                var depth = stepMM
                while depth <= end {
                    let distance = standoff + depth
                    let x = xBase + slopeU * distance
                    let height = heightBase - slopeV * distance
                    if x < 0 || x >= widthMM || height < 0 || height >= heightMM { break }
                    let cell = min(lastRow, Int(height * inverseCellHeight)) &* gridColumns &+ min(lastColumn, Int(x * inverseCellWidth))
                    carved[cell] = max(carved[cell], depth)
                    depth += stepMM
                }
            }
        }
    }

    /// The cells from the one holding `a` to the one holding `b` (either order), coordinates
    /// `scale` cells to the mm, clipped to `0...last`: as the steps pick their cells, and wider
    /// where they would have stopped at the bin's side.
    private static func cellSpan(_ a: Float, _ b: Float, scale: Float, last: Int) -> (first: Int, last: Int) {
        let cellA = Int(min(Float(last), max(0, a * scale))), cellB = Int(min(Float(last), max(0, b * scale)))
        return a <= b ? (cellA, cellB) : (cellB, cellA)
    }
}
