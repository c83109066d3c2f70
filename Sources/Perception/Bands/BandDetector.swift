/// Finds the elastic bands across one bin opening and marks their rows.
///
/// A band is thin, lies near the face plane and runs roughly horizontally across the opening.
/// For every image row of the opening, the detector counts pixels within `bandNearPlaneMM` of the
/// face plane. A row is a band row when that count exceeds the counts `k` rows above *and* `k`
/// rows below (k = `bandMaxThicknessMM` in rows) by at least `bandMinCoverage` of the width: a
/// band stands out against both sides, while an item flush with the front (near-plane over many
/// rows) does not, and the floor and ceiling lips at the edges of the opening (a missing side
/// counts as full) do not either. Neighbouring band rows form one band; spans thicker than
/// `bandMaxThicknessMM` are dropped.
///
/// Near-plane pixels in band rows (plus `bandMaskDilationRows`) are masked; the free-space grid
/// estimates the depth behind them from the cells above and below.
///
/// Buffers are sized by the largest opening seen and reused: no allocation per frame after that.
final class BandDetector {
    /// Per row of the projection: how many near-plane pixels it has, then 1 where near-plane
    /// pixels of that row are masked as band.
    private var rowNear: UnsafeMutablePointer<Int32>
    private(set) var rowMasked: UnsafeMutablePointer<UInt8>
    private var capacity = 0

    init() {
        rowNear = .allocate(capacity: 1)
        rowMasked = .allocate(capacity: 1)
    }

    deinit {
        rowNear.deallocate()
        rowMasked.deallocate()
    }

    /// Detects bands in `region` of `depthMM` (a frame `frameWidth` pixels wide), appends them to
    /// `bands` top to bottom, and marks their rows in `rowMasked`.
    /// `heightAtRow(v)` is the face-plane height above the bin floor of image row v.
    func detect(
        depthMM: UnsafePointer<UInt16>, frameWidth: Int, region: OpeningProjection, standoffMM: Double,
        fyPixels: Double, settings: PerceptionSettings, heightAtRow: (Int) -> Double,
        into bands: inout FixedList<8, DetectedBand>
    ) {
        let width = region.width
        let height = region.height
        reserve(height: height)
        rowMasked.update(repeating: 0, count: height)

        let low = UInt16(clamping: Int((standoffMM - settings.bandNearPlaneMM).rounded(.up)))
        let high = UInt16(clamping: Int((standoffMM + settings.bandNearPlaneMM).rounded(.down)))
        for row in 0..<height {
            let line = depthMM + (region.firstRow + row) * frameWidth + region.firstColumn
            var count: Int32 = 0
            for column in 0..<width {
                let raw = line[column]
                if raw >= low && raw <= high && raw != 0 { count += 1 }
            }
            rowNear[row] = count
        }

        let rowHeightMM = standoffMM / fyPixels
        let maxRows = max(1, Int((settings.bandMaxThicknessMM / rowHeightMM).rounded(.down)))
        let contrast = Int32((settings.bandMinCoverage * Double(width)).rounded(.up))
        let dilation = max(0, settings.bandMaskDilationRows)
        var bandTop = -1
        var bestCount: Int32 = 0
        for row in 0...height {
            var isBandRow = false
            if row < height {
                let above = row - maxRows >= 0 ? rowNear[row - maxRows] : Int32(width)
                let below = row + maxRows < height ? rowNear[row + maxRows] : Int32(width)
                isBandRow = rowNear[row] - max(above, below) >= max(1, contrast)
            }
            if isBandRow {
                if bandTop < 0 { bandTop = row; bestCount = 0 }
                bestCount = max(bestCount, rowNear[row])
            } else if bandTop >= 0 {
                let bottom = row - 1
                if bottom - bandTop + 1 <= maxRows {
                    let firstV = region.firstRow + bandTop
                    let lastV = region.firstRow + bottom
                    bands.append(DetectedBand(
                        topRow: firstV, bottomRow: lastV,
                        heightMM: heightAtRow(firstV) / 2 + heightAtRow(lastV) / 2,
                        thicknessMM: Double(bottom - bandTop + 1) * rowHeightMM,
                        coverage: Double(bestCount) / Double(max(1, width))))
                    for masked in max(0, bandTop - dilation)...min(height - 1, bottom + dilation) {
                        rowMasked[masked] = 1
                    }
                }
                bandTop = -1
            }
        }
    }

    private func reserve(height: Int) {
        guard height > capacity else { return }
        rowNear.deallocate()
        rowMasked.deallocate()
        rowNear = .allocate(capacity: height)
        rowMasked = .allocate(capacity: height)
        capacity = height
    }
}
