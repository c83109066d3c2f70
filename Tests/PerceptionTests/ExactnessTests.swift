import HAL
import Testing
@testable import Perception

/// The pipeline's fast paths against the plain forms they replaced: the same numbers, bit for bit.
@Suite("Fast paths compute what the plain forms do")
struct ExactnessTests {
    /// `BinGrid.fillUnseen`, one column at a time as first written.
    static func referenceFill(depths: [Float], seen: [Bool], columns: Int, rows: Int) -> [Float] {
        var depths = depths
        var known = 0
        for column in 0..<columns {
            var below = [Float](repeating: .infinity, count: rows)
            var nearest = Float.infinity
            for row in 0..<rows {
                if seen[row * columns + column] { nearest = depths[row * columns + column] }
                below[row] = nearest
            }
            if nearest.isInfinite { continue }
            known += 1
            var above = Float.infinity
            for row in stride(from: rows - 1, through: 0, by: -1) {
                let index = row * columns + column
                if seen[index] { above = depths[index] } else { depths[index] = min(above, below[row]) }
            }
        }
        if known == 0 { return [Float](repeating: 0, count: columns * rows) }
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
        return depths
    }

    @Test("filling unseen cells eight at a time gives every cell what the column-by-column fill gave, narrow grids included")
    func fillMatchesColumnByColumn() {
        var random = TestRandom(seed: 11)
        var settings = PerceptionSettings()
        settings.cellHeightMM = 5
        for trial in 0..<300 {
            let widthMM = [2.5, 7.5, 17.5, 20, 22.5, 60, 280][trial % 7]
            let opening = BinOpening(name: "r0c0", xMM: 0, yMM: 0, widthMM: widthMM, heightMM: random.uniform(5...120), depthMM: 380)
            let grid = BinGrid()
            grid.reset(opening: opening, settings: settings)
            let cells = grid.columns * grid.rows
            let seenShare = [0, 0.05, 0.3, 0.9, 1][trial % 5]
            var seen = [Bool](repeating: false, count: cells)
            var depths = [Float](repeating: .infinity, count: cells)
            for index in 0..<cells where random.uniform(0...1) < seenShare {
                seen[index] = true
                depths[index] = Float(random.uniform(0...380))
                grid.depths[index] = depths[index]
                grid.seen[index] = 1
            }
            grid.fillUnseen()
            let expected = Self.referenceFill(depths: depths, seen: seen, columns: grid.columns, rows: grid.rows)
            let filled = (0..<cells).map { grid.depths[$0] }
            #expect(filled.map(\.bitPattern) == expected.map(\.bitPattern), "\(grid.columns) x \(grid.rows), seen share \(seenShare)")
        }
    }

    /// `RayCarving` as first written: every ray, no targets.
    static func carveEveryRay(frame: DepthFrame, opening: BinOpening, grid: BinGrid, bandRows: Set<Int>, settings: PerceptionSettings) {
        let region = OpeningProjection(opening: opening, intrinsics: frame.intrinsics, pose: frame.pose,
                                       imageWidth: frame.width, imageHeight: frame.height)
        let pose = frame.pose, intrinsics = frame.intrinsics
        let standoff = Float(pose.standoffMM)
        let xBase = Float(pose.xMM - opening.xMM), heightBase = Float(pose.yMM - opening.yMM)
        let low = UInt16(clamping: Int((pose.standoffMM - settings.bandNearPlaneMM).rounded(.up)))
        let high = UInt16(clamping: Int((pose.standoffMM + settings.bandNearPlaneMM).rounded(.down)))
        let columnSlope = (0..<frame.width).map { Float((Double($0) - intrinsics.cx) / intrinsics.fx) }
        let rowSlope = (0..<frame.height).map { Float((Double($0) - intrinsics.cy) / intrinsics.fy) }
        let cellWidth = Float(grid.cellWidthMM), cellHeight = Float(grid.cellHeightMM)
        grid.carvedMM.update(repeating: 0, count: grid.columns * grid.rows)
        let faceMMPerPixel = abs(columnSlope[min(region.firstColumn + 1, region.endColumn - 1)] - columnSlope[region.firstColumn]) * standoff
        let pixelStride = faceMMPerPixel > 0 ? max(1, Int(cellWidth / faceMMPerPixel)) : 1
        for row in stride(from: 0, to: region.height, by: pixelStride) {
            let v = region.firstRow + row
            let slopeV = rowSlope[v]
            let rowStep = abs(slopeV) > 0 ? cellHeight / abs(slopeV) : RayCarving.maxStepMM
            for column in stride(from: 0, to: region.width, by: pixelStride) {
                let raw = frame[region.firstColumn + column, v]
                if raw == 0 || (bandRows.contains(row) && (low...max(low, high)).contains(raw)) { continue }
                let slopeU = columnSlope[region.firstColumn + column]
                let columnStep = abs(slopeU) > 0 ? cellWidth / abs(slopeU) : RayCarving.maxStepMM
                let stepMM = min(RayCarving.maxStepMM, max(RayCarving.minStepMM, min(rowStep, columnStep)))
                let end = min(Float(opening.depthMM), Float(raw) - standoff - RayCarving.surfaceMarginMM)
                var depth = stepMM
                while depth <= end {
                    let distance = standoff + depth
                    let x = xBase + slopeU * distance
                    let height = heightBase - slopeV * distance
                    if x < 0 || x >= Float(opening.widthMM) || height < 0 || height >= Float(opening.heightMM) { break }
                    let cell = min(grid.rows - 1, Int(height * Float(1 / grid.cellHeightMM))) * grid.columns
                        + min(grid.columns - 1, Int(x * Float(1 / grid.cellWidthMM)))
                    if depth > grid.carvedMM[cell] { grid.carvedMM[cell] = depth }
                    depth += stepMM
                }
            }
        }
    }

    @Test("carving only the rays that reach the cells the comparison reads verifies every case as carving every ray does",
          arguments: VerificationTests.Case.allCases)
    func targetedCarvingVerifiesAsFullCarving(_ kind: VerificationTests.Case) {
        let settings = PerceptionSettings()
        for seed in UInt64(1)...10 {
            let scenario = VerificationTests.scenario(kind, seed: seed)
            let pipeline = PerceptionPipeline(settings: settings)
            _ = pipeline.process(scenario.before.render(sequence: 1))
            pipeline.captureBaseline(bin: 0, sequence: 1)
            let before = pipeline.grid(bin: 0).snapshot()
            let frame = scenario.after.render(sequence: 2)
            let observed = pipeline.process(frame).bins[0]

            let after = pipeline.grid(bin: 0)
            let bandRows = Set(observed.bands.flatMap { band in
                (band.topRow - settings.bandMaskDilationRows...band.bottomRow + settings.bandMaskDilationRows).map {
                    $0 - OpeningProjection(opening: frame.openings[0], intrinsics: frame.intrinsics, pose: frame.pose,
                                           imageWidth: frame.width, imageHeight: frame.height).firstRow
                }
            })
            Self.carveEveryRay(frame: frame, opening: frame.openings[0], grid: after, bandRows: bandRows, settings: settings)
            let expected = StowVerifier.compare(before: before, after: after, afterProtrusion: observed.protrusion,
                                                baselineSequence: 1, settings: settings)
            #expect(observed.verification == expected, "\(kind), seed \(seed)")
        }
    }
}
