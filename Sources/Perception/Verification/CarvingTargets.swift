/// The cells of a bin's grid whose carved depth (`BinGrid.carvedMM`) the comparison with a
/// baseline reads, and how many of them lie in any rectangle of cells, so that `RayCarving`
/// traces only the rays that can reach one.
///
/// `StowVerifier` reads a cell's carved depth only for a cell seen before and not after whose
/// four neighbours (those inside the grid) are too: it then reads that cell's and its neighbours'.
/// After a stow that is a patch the new item hides, a few hundred of a bin's five thousand cells;
/// most rays never cross it, and every ray traced cost some forty steps.
///
/// The counts are a summed-area table: one pass over the grid, then any rectangle in four reads.
/// Buffers grow with the largest grid seen and are reused: no allocation per frame after that.
final class CarvingTargets {
    /// How many cells the verification reads.
    private(set) var count = 0
    private var columns = 0
    /// `(rows + 1) x (columns + 1)`: at `[row * (columns + 1) + column]`, how many read cells lie
    /// below `row` and left of `column`.
    private var counts: UnsafeMutablePointer<Int32>
    private var countsCapacity = 0
    /// Per cell, 1 where the comparison counts the cell as cleared only with its neighbours.
    private var candidates: UnsafeMutablePointer<UInt8>
    private var candidatesCapacity = 0

    init() {
        counts = .allocate(capacity: 1)
        candidates = .allocate(capacity: 1)
    }

    deinit {
        counts.deallocate()
        candidates.deallocate()
    }

    /// Finds the cells of `after` whose carved depth `StowVerifier.compare(before:after:...)` reads.
    func update(before: BinGrid, after: BinGrid) {
        count = 0
        columns = after.columns
        let rows = after.rows
        reserve(columns: columns, rows: rows)
        let stride = columns + 1
        counts.update(repeating: 0, count: (rows + 1) * stride)
        guard StowVerifier.comparable(before: before, after: after) else { return }

        for row in 0..<rows {
            for column in 0..<columns {
                candidates[row * columns + column] = StowVerifier.isClearedCandidate(
                    column: column, row: row, before: before, after: after) ? 1 : 0
            }
        }
        for row in 0..<rows {
            var inRow: Int32 = 0
            for column in 0..<columns {
                let cell = row * columns + column
                // Read: a candidate, or the neighbour of one.
                let read = candidates[cell] != 0
                    || (column > 0 && candidates[cell - 1] != 0) || (column < columns - 1 && candidates[cell + 1] != 0)
                    || (row > 0 && candidates[cell - columns] != 0) || (row < rows - 1 && candidates[cell + columns] != 0)
                if read { inRow += 1 }
                counts[(row + 1) * stride + column + 1] = counts[row * stride + column + 1] + inRow
            }
            count += Int(inRow)
        }
    }

    /// How many read cells lie in columns `firstColumn...lastColumn` of rows `firstRow...lastRow`
    /// (all within the grid).
    func count(firstColumn: Int, lastColumn: Int, firstRow: Int, lastRow: Int) -> Int32 {
        let stride = columns + 1
        let top = (lastRow + 1) * stride, bottom = firstRow * stride
        let left = firstColumn, right = lastColumn + 1
        return counts[top + right] - counts[top + left] - counts[bottom + right] + counts[bottom + left]
    }

    /// Makes room for a grid of `columns` x `rows`. Allocates only when it must grow.
    func reserve(columns: Int, rows: Int) {
        if (rows + 1) * (columns + 1) > countsCapacity {
            counts.deallocate()
            countsCapacity = (rows + 1) * (columns + 1)
            counts = .allocate(capacity: countsCapacity)
        }
        if rows * columns > candidatesCapacity {
            candidates.deallocate()
            candidatesCapacity = rows * columns
            candidates = .allocate(capacity: candidatesCapacity)
        }
    }
}
