/// Compares a bin before and after a stow, cell by cell over the free-space grid.
///
/// A cell seen directly in the after frame that came nearer by `changeMM` or more gained occupied
/// volume. Its "before" may be an estimate: at a steep view the back-wall strip a stow fills is
/// often never seen while empty, and estimates lean nearer, so they understate added volume rather
/// than invent it. Lost volume counts cells seen directly in both frames that went back by
/// `changeMM` or more, either down to the back wall (revealed: what stood there is gone from that
/// spot) or not (pushed back), and cells seen before but not after that the after frame's rays
/// crossed empty at least `changeMM` deeper than before (revealed as far as the rays went:
/// `BinGrid.carvedMM`, which finds what left a bin seen at a steep angle, where the rays through
/// the empty spot end on a wall). Moving an item sideways reveals as much as it covers, so:
///
/// - item placed: added volume exceeds revealed volume by at least `minItemVolumeMM3`;
/// - item left the bin: revealed volume exceeds added volume by at least `minItemVolumeMM3`;
/// - protrusion: the after frame has something past the bin front.
///
/// A stow that also knocks an item out (both at once) cancels out here; docs/perception.md lists
/// that among the known failures.
public enum StowVerifier {
    /// nil when the two grids are of different bins or sizes.
    public static func compare(
        before: BinGrid, after: BinGrid, afterProtrusion: ProtrusionReading, baselineSequence: UInt64,
        settings: PerceptionSettings
    ) -> StowVerification? {
        guard comparable(before: before, after: after) else { return nil }
        let cellAreaMM2 = before.cellWidthMM * before.cellHeightMM
        let changeMM = Float(settings.changeMM)
        let backWallMM = Float(before.opening.depthMM - settings.backWallMarginMM)
        var addedMM: Double = 0
        var revealedMM: Double = 0
        var pushedMM: Double = 0
        var compared = 0
        let cells = before.columns * before.rows
        for index in 0..<cells {
            guard after.seen[index] != 0 else {
                if isClearedWithNeighbours(index, before: before, after: after, changeMM: changeMM) {
                    revealedMM += Double(after.carvedMM[index] - before.depths[index])
                }
                continue
            }
            let seenInBoth = before.seen[index] != 0
            if seenInBoth { compared += 1 }
            let change = before.depths[index] - after.depths[index]
            if change >= changeMM {
                addedMM += Double(change)
            } else if change <= -changeMM && seenInBoth {
                if after.depths[index] >= backWallMM {
                    revealedMM += Double(-change)
                } else {
                    pushedMM += Double(-change)
                }
            }
        }
        let added = addedMM * cellAreaMM2
        let revealed = revealedMM * cellAreaMM2
        return StowVerification(
            itemPlaced: added - revealed >= settings.minItemVolumeMM3,
            protrusion: afterProtrusion.protrudes,
            itemLeftBin: revealed - added >= settings.minItemVolumeMM3,
            addedVolumeMM3: added, revealedVolumeMM3: revealed, pushedBackVolumeMM3: pushedMM * cellAreaMM2,
            comparedShare: Double(compared) / Double(cells),
            baselineSequence: baselineSequence)
    }

    /// True when the grids are of the same bin and size, so `compare` compares them.
    static func comparable(before: BinGrid, after: BinGrid) -> Bool {
        before.opening == after.opening && before.columns == after.columns && before.rows == after.rows
            && before.columns > 0 && before.rows > 0
    }

    /// True when the cell and its four neighbours (those inside the grid) were seen before and not
    /// after: the cells that their carved depth may clear (`isClearedWithNeighbours`). What
    /// `compare` finds depends on `after.carvedMM` of these cells and their neighbours only
    /// (`CarvingTargets`): it may read others, but counts a cell only when all five are hidden.
    static func isClearedCandidate(column: Int, row: Int, before: BinGrid, after: BinGrid) -> Bool {
        func hidden(_ cell: Int) -> Bool { before.seen[cell] != 0 && after.seen[cell] == 0 }
        let columns = after.columns
        let index = row * columns + column
        return hidden(index)
            && (column == 0 || hidden(index - 1))
            && (column == columns - 1 || hidden(index + 1))
            && (row == 0 || hidden(index - columns))
            && (row == after.rows - 1 || hidden(index + columns))
    }

    /// A cell seen before and not now that the after frame's rays crossed at least `changeMM`
    /// deeper than its "before" surface: whatever stood there is gone (the rays ended on a wall,
    /// the ceiling or the floor: see `RayCarving`). Only counted with its four neighbours cleared
    /// too (or outside the grid): a cell that straddles an item's edge is crossed deep by the
    /// rays that pass beside the item, and whether a pixel lands on the item's sliver of it
    /// flickers with noise from frame to frame.
    private static func isClearedWithNeighbours(_ index: Int, before: BinGrid, after: BinGrid, changeMM: Float) -> Bool {
        func cleared(_ cell: Int) -> Bool {
            before.seen[cell] != 0 && after.seen[cell] == 0 && after.carvedMM[cell] - before.depths[cell] >= changeMM
        }
        let columns = after.columns
        let column = index % columns
        let row = index / columns
        return cleared(index)
            && (column == 0 || cleared(index - 1))
            && (column == columns - 1 || cleared(index + 1))
            && (row == 0 || cleared(index - columns))
            && (row == after.rows - 1 || cleared(index + columns))
    }
}
