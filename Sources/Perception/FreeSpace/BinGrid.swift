import HAL

/// One bin seen from the front as a grid over (x across the bin, height above the floor): each
/// cell holds the depth of the first surface behind the bin front, in mm, clamped to the bin's
/// depth. Everything behind that surface is assumed occupied (the camera cannot see behind it).
///
/// The grid is the pipeline's working memory for one bin: allocated when a bin of a new size
/// first appears and reused for every later frame.
public final class BinGrid {
    /// Grid columns never exceed this; wide bins get wider cells. (The 128 in `FreeSpaceAnalysis`
    /// and `BinObservation.columnFreeDepthMM` is this number.)
    public static let maxColumns = 128

    public private(set) var columns: Int = 0
    public private(set) var rows: Int = 0
    public private(set) var cellWidthMM: Double = 0
    public private(set) var cellHeightMM: Double = 0
    public private(set) var opening: BinOpening = BinOpening(name: "", xMM: 0, yMM: 0, widthMM: 0, heightMM: 0, depthMM: 0)

    /// First-surface depth per cell, row-major from the floor up: `depths[row * columns + column]`.
    /// `Float.infinity` while a cell has no estimate.
    private(set) var depths: UnsafeMutablePointer<Float>
    /// 1 where a pixel landed in the cell this frame, 0 where the depth was estimated.
    private(set) var seen: UnsafeMutablePointer<UInt8>
    /// How deep a camera ray passed through the cell without hitting anything, in mm: the cell is
    /// known free from the front to here. 0 where no ray was traced (see `RayCarving`; traced
    /// only for bins being verified, and complete only in the cells the verification reads:
    /// `CarvingTargets`).
    private(set) var carvedMM: UnsafeMutablePointer<Float>
    private var capacity = 0
    /// Scratch for `fillUnseen`: two grids' worth.
    private var scratch: UnsafeMutablePointer<Float>
    private var scratchCapacity = 0

    public init() {
        depths = .allocate(capacity: 1)
        seen = .allocate(capacity: 1)
        carvedMM = .allocate(capacity: 1)
        scratch = .allocate(capacity: 1)
    }

    deinit {
        depths.deallocate()
        seen.deallocate()
        carvedMM.deallocate()
        scratch.deallocate()
    }

    /// The depth of the first surface in a cell (after `fillUnseen`, never infinite).
    public func depthMM(column: Int, row: Int) -> Float {
        precondition(column >= 0 && column < columns && row >= 0 && row < rows, "cell (\(column), \(row)) is outside the grid")
        return depths[row * columns + column]
    }

    /// True when the cell's depth was measured in this frame, false when it was estimated from
    /// its neighbours (behind a band, a dropout or an occluding edge).
    public func wasSeen(column: Int, row: Int) -> Bool {
        precondition(column >= 0 && column < columns && row >= 0 && row < rows, "cell (\(column), \(row)) is outside the grid")
        return seen[row * columns + column] != 0
    }

    /// Sizes the grid for `opening` and clears it. Allocates only when the grid must grow.
    func reset(opening: BinOpening, settings: PerceptionSettings) {
        self.opening = opening
        cellWidthMM = max(settings.cellWidthMM, opening.widthMM / Double(Self.maxColumns))
        cellHeightMM = settings.cellHeightMM
        columns = min(Self.maxColumns, max(1, Int((opening.widthMM / cellWidthMM).rounded(.up))))
        rows = max(1, Int((opening.heightMM / cellHeightMM).rounded(.up)))
        let cells = columns * rows
        reserve(cells: cells)
        if 2 * cells > scratchCapacity {
            scratch.deallocate()
            scratch = .allocate(capacity: 2 * cells)
            scratchCapacity = 2 * cells
        }
        depths.update(repeating: .infinity, count: cells)
        seen.update(repeating: 0, count: cells)
        carvedMM.update(repeating: 0, count: cells)
    }

    /// Keeps the nearer of the cell's depth and `depthMM` (the first surface wins).
    @inline(__always)
    func record(column: Int, row: Int, depthMM: Float) {
        let index = row * columns + column
        if depthMM < depths[index] {
            depths[index] = depthMM
        }
        seen[index] = 1
    }

    /// Gives every unseen cell a depth from the cells around it. Within a column, a cell hidden
    /// behind a band or a dropout takes the nearer of the closest seen cells above and below it
    /// (the conservative choice: free space is never invented). A column with nothing seen takes,
    /// row by row, the nearer of the closest seen columns left and right. A bin with nothing seen
    /// at all is taken as full.
    ///
    /// The columns are filled side by side, eight cells to a vector instruction: in memory order a
    /// cell's neighbour above or below is `columns` cells away, so cells in a run no longer than a
    /// row never depend on each other.
    func fillUnseen() {
        let columns = self.columns, cells = columns * rows
        let depths = self.depths
        // A cell is seen exactly where its depth is finite: `reset` made every depth infinite and
        // `seen` is set with each depth written. The loops test the depth: the same answer, as a
        // Float compare that sits in a vector beside the depths.
        typealias Lanes = SIMD8<Float>
        let unknown = Lanes(repeating: .infinity)
        // Upward: `below[index]` is the depth of the closest seen cell at or under the cell
        // (infinite where there is none).
        let below = scratch
        below.update(from: depths, count: columns)
        var index = columns
        while index < cells {
            let count = min(min(8, columns), cells - index)
            let depth = Self.load(depths + index, count: count), under = Self.load(below + index - columns, count: count)
            Self.store(depth.replacing(with: under, where: depth .== unknown), to: below + index, count: count)
            index += count
        }
        // Downward: `above[index]` is the depth of the closest seen cell at or over the cell; an
        // unseen cell takes the nearer of the closest above and below.
        let above = scratch + cells
        above.advanced(by: cells - columns).update(from: depths + (cells - columns), count: columns)
        var end = cells - columns
        while end > 0 {
            let count = min(min(8, columns), end)
            let start = end - count
            let depth = Self.load(depths + start, count: count), over = Self.load(above + start + columns, count: count)
            let unseen = depth .== unknown
            Self.store(depth.replacing(with: over, where: unseen), to: above + start, count: count)
            // min(above, below) as Swift's `min` picks.
            let under = Self.load(below + start, count: count)
            let nearest = over.replacing(with: under, where: under .< over)
            Self.store(depth.replacing(with: nearest, where: unseen), to: depths + start, count: count)
            end = start
        }
        // Cells of the top row with nothing seen over them take the closest seen below.
        for column in (cells - columns)..<cells where depths[column] == .infinity {
            depths[column] = below[column]
        }

        // A column with no seen cell is infinite from top to bottom: the top row of `below` says
        // which columns had one.
        let top = below + (cells - columns)
        var knownColumns = 0
        for column in 0..<columns where top[column].isFinite { knownColumns += 1 }
        if knownColumns == columns { return }
        if knownColumns == 0 {
            depths.update(repeating: 0, count: cells)
            return
        }
        for column in 0..<columns where depths[column].isInfinite {
            var left = column - 1
            while left >= 0 && depths[left].isInfinite { left -= 1 }
            var right = column + 1
            while right < columns && depths[right].isInfinite { right += 1 }
            for row in 0..<rows {
                let leftDepth = left >= 0 ? depths[row * columns + left] : Float.infinity
                let rightDepth = right < columns ? depths[row * columns + right] : Float.infinity
                depths[row * columns + column] = min(leftDepth, rightDepth)
            }
        }
    }

    /// Eight Floats from `pointer`, or the first `count` and infinities.
    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>, count: Int) -> SIMD8<Float> {
        if count == 8 { return UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self) }
        var lanes = SIMD8<Float>(repeating: .infinity)
        for lane in 0..<count { lanes[lane] = pointer[lane] }
        return lanes
    }

    /// Writes the first `count` of `lanes` to `pointer`.
    @inline(__always)
    private static func store(_ lanes: SIMD8<Float>, to pointer: UnsafeMutablePointer<Float>, count: Int) {
        if count == 8 { return UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD8<Float>.self) }
        for lane in 0..<count { pointer[lane] = lanes[lane] }
    }

    /// Copies another grid's size and cells into this one (for a verification baseline).
    /// Allocates only when this grid must grow.
    public func copy(from other: BinGrid) {
        let cells = other.columns * other.rows
        reserve(cells: cells)
        columns = other.columns
        rows = other.rows
        cellWidthMM = other.cellWidthMM
        cellHeightMM = other.cellHeightMM
        opening = other.opening
        depths.update(from: other.depths, count: cells)
        seen.update(from: other.seen, count: cells)
        carvedMM.update(from: other.carvedMM, count: cells)
    }

    /// Makes room for `cells` cells (contents are undefined after growing). Allocates only when
    /// the grid must grow.
    func reserve(cells: Int) {
        guard cells > capacity else { return }
        depths.deallocate()
        seen.deallocate()
        carvedMM.deallocate()
        depths = .allocate(capacity: cells)
        seen = .allocate(capacity: cells)
        carvedMM = .allocate(capacity: cells)
        capacity = cells
    }

    /// A copy that shares nothing with this grid.
    public func snapshot() -> BinGrid {
        let copy = BinGrid()
        copy.copy(from: self)
        return copy
    }
}
