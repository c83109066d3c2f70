/// Free space of one bin, read off its filled `BinGrid`: how deep each column is free, where an
/// item could go, and how full the bin is.
///
/// Occupancy across width and depth: a point (x, depth) of the bin floor plan is occupied when
/// depth >= `columnFreeDepthMM` of its column (the nearest surface anywhere up the column; the
/// camera cannot see behind it, so everything behind counts as occupied).
///
/// A gap is a run of columns that are free from the floor up to at least `minGapHeightMM`, to at
/// least `minGapDepthMM` deep, at least `minGapWidthMM` wide. A run splits where its columns'
/// free depths spread by more than `gapDepthStepMM`, so the space beside an item and the space
/// in front of it are separate gaps, each with its own depth.
enum FreeSpaceAnalysis {
    /// Fills `bin.columnFreeDepthMM`, `bin.gaps` and `bin.fillRatio` from `grid`.
    static func analyse(_ grid: BinGrid, settings: PerceptionSettings, into bin: inout BinObservation) {
        let columns = grid.columns
        let rows = grid.rows
        let binDepthMM = Float(grid.opening.depthMM)
        let minGapDepthMM = Float(min(settings.minGapDepthMM, grid.opening.depthMM))
        bin.columnWidthMM = grid.cellWidthMM
        bin.columnFreeDepthMM.removeAll()
        bin.gaps.removeAll()

        // Per column: nearest surface up the whole column, how high it is free to the gap
        // depth from the floor, and how deep that free part is.
        var clearRows = InlineArray<128, Int32>(repeating: 0)
        var tunnelDepthMM = InlineArray<128, Float>(repeating: 0)
        var occupiedSum: Double = 0
        for column in 0..<columns {
            var nearestMM = binDepthMM
            var clear = -1
            var tunnelMM = binDepthMM
            for row in 0..<rows {
                let depth = grid.depths[row * columns + column]
                occupiedSum += Double(binDepthMM - depth)
                nearestMM = min(nearestMM, depth)
                if clear < 0 {
                    if depth < minGapDepthMM { clear = row } else { tunnelMM = min(tunnelMM, depth) }
                }
            }
            bin.columnFreeDepthMM.append(nearestMM)
            clearRows[column] = Int32(clear < 0 ? rows : clear)
            tunnelDepthMM[column] = clear == 0 ? 0 : tunnelMM
        }
        bin.fillRatio = binDepthMM > 0 ? min(1, max(0, occupiedSum / (Double(binDepthMM) * Double(columns * rows)))) : 1

        let minClearRows = Int32((settings.minGapHeightMM / grid.cellHeightMM).rounded(.up))
        let stepMM = Float(settings.gapDepthStepMM)
        var runStart = -1
        var runMinMM = Float.infinity
        var runMaxMM = -Float.infinity
        for column in 0...columns {
            let free = column < columns && clearRows[column] >= minClearRows
            if free {
                let depth = tunnelDepthMM[column]
                if runStart >= 0 && (max(runMaxMM, depth) - min(runMinMM, depth) > stepMM) {
                    closeRun(grid, start: runStart, end: column, clearRows: clearRows, settings: settings, into: &bin)
                    runStart = -1
                }
                if runStart < 0 {
                    runStart = column
                    runMinMM = depth
                    runMaxMM = depth
                } else {
                    runMinMM = min(runMinMM, depth)
                    runMaxMM = max(runMaxMM, depth)
                }
            } else if runStart >= 0 {
                closeRun(grid, start: runStart, end: column, clearRows: clearRows, settings: settings, into: &bin)
                runStart = -1
            }
        }
    }

    /// Columns `start..<end` are free: report them as a gap if wide enough.
    private static func closeRun(
        _ grid: BinGrid, start: Int, end: Int, clearRows: InlineArray<128, Int32>,
        settings: PerceptionSettings, into bin: inout BinObservation
    ) {
        let widthMM = Double(end - start) * grid.cellWidthMM
        guard widthMM >= settings.minGapWidthMM else { return }
        var heightRows = Int32.max
        for column in start..<end { heightRows = min(heightRows, clearRows[column]) }
        var depthMM = Float(grid.opening.depthMM)
        var seenCells = 0
        for column in start..<end {
            for row in 0..<Int(heightRows) {
                let index = row * grid.columns + column
                depthMM = min(depthMM, grid.depths[index])
                seenCells += Int(grid.seen[index])
            }
        }
        let cells = (end - start) * Int(heightRows)
        bin.gaps.append(InsertionGap(
            xMM: Double(start) * grid.cellWidthMM,
            widthMM: min(widthMM, grid.opening.widthMM - Double(start) * grid.cellWidthMM),
            depthMM: Double(depthMM),
            heightMM: min(grid.opening.heightMM, Double(heightRows) * grid.cellHeightMM),
            confidence: cells > 0 ? Double(seenCells) / Double(cells) : 0))
    }
}
