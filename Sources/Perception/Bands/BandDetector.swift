/// Finds the elastic bands across one bin opening and marks their rows.
///
/// A band is thin, lies near the face plane and runs roughly horizontally across the opening.
/// The detector looks at each image column of the opening for vertical runs of pixels within
/// `bandNearPlaneMM` of the face plane (a dropout does not end a run):
///
/// - a run no thicker than `bandMaxThicknessMM` with opening on both sides is a band candidate
///   (a run touching the top or bottom row of the opening is the ceiling or floor lip, not a band);
/// - a thicker run is a surface near the face (an item flush with the front): a band crossing in
///   front of it cannot be told apart from it there, so that column is left out of that row's count.
///
/// A row is a band row when its candidate pixels cover at least `bandMinCoverage` of the columns
/// not covered by thick runs, and at least `bandMinVisibleShare` of the whole width. So a
/// band is found across a bin whose front is mostly filled by items flush with the face, as long
/// as some of its length shows against the bin. Neighbouring band rows form one band; spans
/// thicker than `bandMaxThicknessMM` are dropped.
///
/// Near-plane pixels in band rows (plus `bandMaskDilationRows`) are masked; the free-space grid
/// estimates the depth behind them from the cells above and below.
///
/// Buffers are sized by the largest opening seen and reused: no allocation per frame after that.
final class BandDetector {
    /// Per row of the projection: band-candidate pixels, pixels in thick near-plane runs, then 1
    /// where near-plane pixels of that row are masked as band.
    private var rowCandidates: UnsafeMutablePointer<Int32>
    private var rowThick: UnsafeMutablePointer<Int32>
    private(set) var rowMasked: UnsafeMutablePointer<UInt8>
    private var rowCapacity = 0
    /// Per column of the projection: first row of the open near-plane run, or -1. 16 bits, so
    /// that a vector register holds 8 of them beside 8 pixels (`findRuns`).
    private var runStart: UnsafeMutablePointer<Int16>
    private var columnCapacity = 0

    init() {
        rowCandidates = .allocate(capacity: 1)
        rowThick = .allocate(capacity: 1)
        rowMasked = .allocate(capacity: 1)
        runStart = .allocate(capacity: 1)
    }

    deinit {
        rowCandidates.deallocate()
        rowThick.deallocate()
        rowMasked.deallocate()
        runStart.deallocate()
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
        precondition(height <= Int(Int16.max), "BandDetector: an opening \(height) pixels high")
        reserve(width: width, height: height)
        rowMasked.update(repeating: 0, count: height)
        rowCandidates.update(repeating: 0, count: height)
        rowThick.update(repeating: 0, count: height)
        runStart.update(repeating: -1, count: width)

        let rowHeightMM = standoffMM / fyPixels
        let maxRows = max(1, Int((settings.bandMaxThicknessMM / rowHeightMM).rounded(.down)))
        let low = UInt16(clamping: Int((standoffMM - settings.bandNearPlaneMM).rounded(.up)))
        let high = UInt16(clamping: Int((standoffMM + settings.bandNearPlaneMM).rounded(.down)))
        // Near the plane: `nearLow...high` (a dropout, 0, never is), tested as `raw - nearLow <=
        // nearSpan` with wrapping. Empty when the window holds no depth of 1 or more.
        let nearLow = max(low, 1)
        if nearLow <= high {
            findRuns(
                depthMM: depthMM, frameWidth: frameWidth, region: region, nearLow: nearLow, nearSpan: high - nearLow,
                maxRows: maxRows)
        }

        let dilation = max(0, settings.bandMaskDilationRows)
        let coverage = settings.bandMinCoverage
        let minCandidates = max(1, settings.bandMinVisibleShare * Double(width))
        var bandTop = -1
        var bestCount: Int32 = 0
        for row in 0...height {
            var isBandRow = false
            if row < height {
                let openColumns = Double(width) - Double(rowThick[row])
                let candidates = Double(rowCandidates[row])
                isBandRow = candidates >= minCandidates && candidates >= coverage * openColumns
            }
            if isBandRow {
                if bandTop < 0 { bandTop = row; bestCount = 0 }
                bestCount = max(bestCount, rowCandidates[row])
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

    /// Counts every column's near-plane runs into `rowCandidates` and `rowThick`.
    ///
    /// Eight columns at a time, a vector compare first asks whether any of them opens or ends a
    /// run in this row; only then are they walked one by one. Most pixels do neither (they are off
    /// the plane with no run open, or inside a run that goes on), so most of an opening is read
    /// eight pixels to an instruction.
    private func findRuns(
        depthMM: UnsafePointer<UInt16>, frameWidth: Int, region: OpeningProjection, nearLow: UInt16, nearSpan: UInt16,
        maxRows: Int
    ) {
        let width = region.width
        let height = region.height
        let runStart = self.runStart
        // Compared with vectors, not scalars: the scalar forms of `.>=` and `.!=` compile to a
        // loop over the lanes.
        let lows = SIMD8<UInt16>(repeating: nearLow), spans = SIMD8<UInt16>(repeating: nearSpan)
        let noReturn = SIMD8<UInt16>(repeating: 0), noRun = SIMD8<Int16>(repeating: 0)

        /// One pixel: a near one opens its column's run; one off the plane ends it (a dropout
        /// does not).
        func step(column: Int, row: Int, raw: UInt16) {
            let start = Int(runStart[column])
            if raw &- nearLow <= nearSpan {
                if start < 0 { runStart[column] = Int16(truncatingIfNeeded: row) }
            } else if start >= 0 && raw != 0 {
                closeRun(firstRow: start, endRow: row, regionHeight: height, maxRows: maxRows)
                runStart[column] = -1
            }
        }

        for row in 0..<height {
            let line = depthMM + (region.firstRow + row) * frameWidth + region.firstColumn
            var column = 0
            while column + 8 <= width {
                let raw = UnsafeRawPointer(line + column).loadUnaligned(as: SIMD8<UInt16>.self)
                let open = UnsafeRawPointer(runStart + column).loadUnaligned(as: SIMD8<Int16>.self) .>= noRun
                let near = (raw &- lows) .<= spans
                let opens = near .& .!open
                let ends = .!near .& open .& (raw .!= noReturn)
                if any(opens .| ends) {
                    for lane in 0..<8 { step(column: column + lane, row: row, raw: raw[lane]) }
                }
                column += 8
            }
            while column < width {
                step(column: column, row: row, raw: line[column])
                column += 1
            }
        }
        // The opening's bottom edge ends the runs still open.
        for column in 0..<width where runStart[column] >= 0 {
            closeRun(firstRow: Int(runStart[column]), endRow: height, regionHeight: height, maxRows: maxRows)
        }
    }

    /// Counts one column's near-plane run over rows `firstRow..<endRow`: a band candidate when
    /// thin and clear of the opening's edges, a thick surface otherwise.
    private func closeRun(firstRow: Int, endRow: Int, regionHeight: Int, maxRows: Int) {
        let touchesEdge = firstRow == 0 || endRow >= regionHeight
        let thin = endRow - firstRow <= maxRows
        if thin && touchesEdge { return }
        let counts = thin ? rowCandidates : rowThick
        for row in firstRow..<min(endRow, regionHeight) { counts[row] += 1 }
    }

    private func reserve(width: Int, height: Int) {
        if height > rowCapacity {
            rowCandidates.deallocate()
            rowThick.deallocate()
            rowMasked.deallocate()
            rowCandidates = .allocate(capacity: height)
            rowThick = .allocate(capacity: height)
            rowMasked = .allocate(capacity: height)
            rowCapacity = height
        }
        if width > columnCapacity {
            runStart.deallocate()
            runStart = .allocate(capacity: width)
            columnCapacity = width
        }
    }
}
