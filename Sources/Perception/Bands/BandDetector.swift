/// Finds the elastic bands across one bin opening and masks their pixels.
///
/// A band is thin, lies near the face plane and runs roughly horizontally across the opening.
/// Column by column (scanned row by row, so memory is read in order), a run of pixels within
/// `bandNearPlaneMM` of the face plane, no taller than `bandMaxThicknessMM`, and not touching the
/// top or bottom of the opening (the floor lip and ceiling are near the plane too) is a band
/// candidate. Rows where candidates cover at least `bandMinCoverage` of the width are band rows;
/// neighbouring band rows form one band. Candidate pixels within a band's rows (plus
/// `bandMaskDilationRows`) are masked; the free-space grid estimates the depth behind them from
/// the pixels above and below.
///
/// Buffers are sized by the largest opening seen and reused: no allocation per frame after that.
final class BandDetector {
    /// 1 where a pixel is masked as band, per pixel of the projection (row-major, its width).
    private(set) var mask: UnsafeMutablePointer<UInt8>
    private var maskCapacity = 0
    private var runStart: UnsafeMutablePointer<Int32>
    private var runStartCapacity = 0
    private var rowCount: UnsafeMutablePointer<Int32>
    private var rowCountCapacity = 0

    init() {
        mask = .allocate(capacity: 1)
        runStart = .allocate(capacity: 1)
        rowCount = .allocate(capacity: 1)
    }

    deinit {
        mask.deallocate()
        runStart.deallocate()
        rowCount.deallocate()
    }

    /// Detects bands in `region` of `depthMM` (a frame `frameWidth` pixels wide), appends them to
    /// `bands` top to bottom, and leaves their pixels set in `mask`.
    /// `heightAtRow(v)` is the face-plane height above the bin floor of image row v.
    func detect(
        depthMM: UnsafePointer<UInt16>, frameWidth: Int, region: OpeningProjection, standoffMM: Double,
        fyPixels: Double, settings: PerceptionSettings, heightAtRow: (Int) -> Double,
        into bands: inout FixedList<8, DetectedBand>
    ) {
        let width = region.width
        let height = region.height
        reserve(width: width, height: height)
        mask.update(repeating: 0, count: width * height)
        runStart.update(repeating: -1, count: width)
        rowCount.update(repeating: 0, count: height)

        let standoff = Float(standoffMM)
        let near = Float(settings.bandNearPlaneMM)
        let rowHeightMM = standoffMM / fyPixels
        let maxRunRows = Int32(max(1, (settings.bandMaxThicknessMM / rowHeightMM).rounded(.down)))
        let dilation = max(0, settings.bandMaskDilationRows)

        for row in 0..<height {
            let line = depthMM + (region.firstRow + row) * frameWidth + region.firstColumn
            for column in 0..<width {
                let raw = line[column]
                let isNear = raw != 0 && abs(Float(raw) - standoff) <= near
                let start = runStart[column]
                if isNear {
                    if start < 0 { runStart[column] = Int32(row) }
                } else if start >= 0 {
                    // A run touching the top of the opening is the ceiling lip, not a band.
                    if start > 0 && Int32(row) - start <= maxRunRows {
                        markCandidate(column: column, fromRow: Int(start), toRow: row, width: width, height: height, dilation: dilation)
                    }
                    runStart[column] = -1
                }
            }
        }
        // Runs still open at the bottom touch the floor lip: not bands.

        let minCount = Int32((settings.bandMinCoverage * Double(width)).rounded(.up))
        var bandTop = -1
        var bestCount: Int32 = 0
        var keepFrom = 0
        for row in 0...height {
            let isBandRow = row < height && rowCount[row] >= max(1, minCount)
            if isBandRow {
                if bandTop < 0 { bandTop = row; bestCount = 0 }
                bestCount = max(bestCount, rowCount[row])
            } else if bandTop >= 0 {
                let bottom = row - 1
                let firstV = region.firstRow + bandTop
                let lastV = region.firstRow + bottom
                bands.append(DetectedBand(
                    topRow: firstV, bottomRow: lastV,
                    heightMM: heightAtRow(firstV) / 2 + heightAtRow(lastV) / 2,
                    thicknessMM: Double(bottom - bandTop + 1) * rowHeightMM,
                    coverage: Double(bestCount) / Double(width)))
                // Unmask candidates between the previous band and this one.
                clearRows(from: keepFrom, to: max(keepFrom, bandTop - dilation), width: width)
                keepFrom = min(height, bottom + 1 + dilation)
                bandTop = -1
            }
        }
        clearRows(from: keepFrom, to: height, width: width)
    }

    /// Whether the pixel at (column, row) of the projection is masked.
    @inline(__always)
    func isMasked(column: Int, row: Int, width: Int) -> Bool {
        mask[row * width + column] != 0
    }

    /// Counts the run's rows toward band coverage and masks it, `dilation` rows wider each way.
    private func markCandidate(column: Int, fromRow: Int, toRow: Int, width: Int, height: Int, dilation: Int) {
        for row in fromRow..<toRow {
            rowCount[row] += 1
        }
        for row in max(0, fromRow - dilation)..<min(height, toRow + dilation) {
            mask[row * width + column] = 1
        }
    }

    private func clearRows(from: Int, to: Int, width: Int) {
        guard to > from else { return }
        (mask + from * width).update(repeating: 0, count: (to - from) * width)
    }

    private func reserve(width: Int, height: Int) {
        if width * height > maskCapacity {
            mask.deallocate()
            mask = .allocate(capacity: width * height)
            maskCapacity = width * height
        }
        if width > runStartCapacity {
            runStart.deallocate()
            runStart = .allocate(capacity: width)
            runStartCapacity = width
        }
        if height > rowCountCapacity {
            rowCount.deallocate()
            rowCount = .allocate(capacity: height)
            rowCountCapacity = height
        }
    }
}
