import HAL

/// Depth frame in, `PerceptionObservation` out: bands, free space and gaps per bin opening,
/// protrusion, and verification against a baseline when one is set.
///
/// Per opening, in three passes over its pixels:
/// 1. `BandDetector` finds and masks the bands.
/// 2. Every other pixel with a return is back-projected through the pinhole model into bin
///    coordinates (x from the left wall, height from the floor, depth from the front) and kept
///    as the nearest surface of its `BinGrid` cell; pixels in front of the face plane count
///    toward protrusion.
/// 3. The grid fills cells nothing landed in (behind bands, dropouts) and `FreeSpaceAnalysis`
///    reads gaps and fill off it.
///
/// Buffers are sized by the first frame (and grow only for a larger one): after that, a frame
/// costs no heap allocation. Not thread-safe: one loop owns a pipeline.
public final class PerceptionPipeline {
    public let settings: PerceptionSettings
    private let clock: MonotonicClock
    private let bandDetector = BandDetector()
    private let carvingTargets = CarvingTargets()
    private var grids: [BinGrid]
    private var baselines: [BinGrid]
    private var baselineSequences: [UInt64?]
    private var protrusions: [ProtrusionReading]
    /// (u - cx) / fx per image column and (v - cy) / fy per image row.
    private var columnSlope: UnsafeMutablePointer<Float>
    private var rowSlope: UnsafeMutablePointer<Float>
    private var slopeIntrinsics: PinholeIntrinsics?
    private var slopeWidth = 0
    private var slopeHeight = 0

    public init(settings: PerceptionSettings = PerceptionSettings(), clock: MonotonicClock = SystemClock.shared) {
        self.settings = settings
        self.clock = clock
        grids = (0..<PerceptionObservation.maxBins).map { _ in BinGrid() }
        baselines = (0..<PerceptionObservation.maxBins).map { _ in BinGrid() }
        baselineSequences = Array(repeating: nil, count: PerceptionObservation.maxBins)
        protrusions = Array(repeating: .none, count: PerceptionObservation.maxBins)
        columnSlope = .allocate(capacity: 1)
        rowSlope = .allocate(capacity: 1)
    }

    deinit {
        columnSlope.deallocate()
        rowSlope.deallocate()
    }

    /// Runs the pipeline on `frame`, overwriting `observation`. Openings beyond
    /// `PerceptionObservation.maxBins` are ignored. With `onlyOpening`, only the bin at that
    /// index is analysed and the observation holds that one bin; each bin is analysed on its own,
    /// so it comes out exactly as in a full pass.
    public func process(_ frame: DepthFrame, into observation: inout PerceptionObservation, onlyOpening: Int? = nil) {
        let start = clock.now()
        prepareSlopes(for: frame)
        observation.frameSequence = frame.sequence
        observation.frameTimestamp = frame.timestamp
        observation.bins.removeAll()
        let binCount = min(frame.openings.count, PerceptionObservation.maxBins)
        frame.depthMM.withUnsafeBufferPointer { pixels in
            guard let base = pixels.baseAddress else { return }
            for index in 0..<binCount where onlyOpening == nil || onlyOpening == index {
                var bin = BinObservation()
                processOpening(index, of: frame, pixels: base, into: &bin)
                observation.bins.append(bin)
            }
        }
        let end = clock.now()
        observation.completedAt = end
        observation.pipelineLatencyMS = Double(start.nanoseconds(until: end)) / 1e6
    }

    /// Convenience for one-off use (tests, `stowctl perceive`): allocates the observation.
    public func process(_ frame: DepthFrame) -> PerceptionObservation {
        var observation = PerceptionObservation()
        process(frame, into: &observation)
        return observation
    }

    /// The free-space grid of the bin at `index` in the last frame processed.
    public func grid(bin index: Int) -> BinGrid {
        grids[index]
    }

    /// Makes the last processed frame the "before" of bin `index`: every later observation of
    /// that bin carries a `StowVerification` against it. No allocation: the baseline grid is sized
    /// whenever its bin's grid is.
    public func captureBaseline(bin index: Int, sequence: UInt64) {
        guard index >= 0 && index < grids.count && grids[index].columns > 0 else { return }
        baselines[index].copy(from: grids[index])
        baselineSequences[index] = sequence
    }

    public func clearBaseline(bin index: Int) {
        guard index >= 0 && index < baselineSequences.count else { return }
        baselineSequences[index] = nil
    }

    // MARK: - Private helpers

    private func processOpening(_ index: Int, of frame: DepthFrame, pixels: UnsafePointer<UInt16>, into bin: inout BinObservation) {
        let opening = frame.openings[index]
        bin.name = opening.name
        bin.openingIndex = index
        let grid = grids[index]
        grid.reset(opening: opening, settings: settings)
        // Sized now so that capturing a baseline later never allocates in the loop.
        baselines[index].reserve(cells: grid.columns * grid.rows)
        carvingTargets.reserve(columns: grid.columns, rows: grid.rows)
        let region = OpeningProjection(
            opening: opening, intrinsics: frame.intrinsics, pose: frame.pose, imageWidth: frame.width, imageHeight: frame.height)
        guard !region.isEmpty else {
            grid.fillUnseen()
            FreeSpaceAnalysis.analyse(grid, settings: settings, into: &bin)
            return
        }

        let pose = frame.pose
        let intrinsics = frame.intrinsics
        bandDetector.detect(
            depthMM: pixels, frameWidth: frame.width, region: region, standoffMM: pose.standoffMM,
            fyPixels: intrinsics.fy, settings: settings,
            heightAtRow: { row in pose.yMM - (Double(row) - intrinsics.cy) / intrinsics.fy * pose.standoffMM - opening.yMM },
            into: &bin.bands)

        let protrusion = recordSurfaces(frame: frame, pixels: pixels, region: region, opening: opening, grid: grid)
        bin.protrusion = protrusion
        if baselineSequences[index] != nil {
            carvingTargets.update(before: baselines[index], after: grid)
            if carvingTargets.count > 0 {
                RayCarving.carve(
                    pixels: pixels, frameWidth: frame.width, pose: pose, opening: opening, region: region,
                    columnSlope: columnSlope, rowSlope: rowSlope, bandRows: bandDetector.rowMasked,
                    bandDepthRange: bandDepthRange(standoffMM: pose.standoffMM), grid: grid, targets: carvingTargets)
            }
        }
        grid.fillUnseen()
        FreeSpaceAnalysis.analyse(grid, settings: settings, into: &bin)

        if let sequence = baselineSequences[index] {
            bin.verification = StowVerifier.compare(
                before: baselines[index], after: grid, afterProtrusion: protrusion, baselineSequence: sequence,
                settings: settings)
        }
    }

    /// Pass 2: back-projects every unmasked pixel into the grid; returns what protrudes.
    private func recordSurfaces(
        frame: DepthFrame, pixels: UnsafePointer<UInt16>, region: OpeningProjection, opening: BinOpening, grid: BinGrid
    ) -> ProtrusionReading {
        let standoff = Float(frame.pose.standoffMM)
        let xBase = Float(frame.pose.xMM - opening.xMM)
        let heightBase = Float(frame.pose.yMM - opening.yMM)
        let margin = Float(settings.wallMarginMM)
        let xLimit = Float(opening.widthMM) - margin
        let heightLimit = Float(opening.heightMM) - margin
        let binDepth = Float(opening.depthMM)
        let protrusionLimit = -Float(settings.protrusionMM)
        let inverseCellWidth = Float(1 / grid.cellWidthMM)
        let inverseCellHeight = Float(1 / grid.cellHeightMM)
        let lastColumn = grid.columns - 1
        let lastRow = grid.rows - 1
        let gridColumns = grid.columns
        let depths = grid.depths
        let seen = grid.seen
        let rowMasked = bandDetector.rowMasked
        let regionWidth = region.width
        let bandDepths = bandDepthRange(standoffMM: frame.pose.standoffMM)

        // Raw values skipped: dropouts everywhere, and in masked band rows the band depths too.
        // As an offset and a span (`raw - low <= span`, wrapping), one compare covers either.
        let bandLow = bandDepths.lowerBound, bandSpan = bandDepths.upperBound - bandDepths.lowerBound

        var protrudingSquaredDepth: Float = 0
        var maxProtrusion: Float = 0
        for row in 0..<region.height {
            let v = region.firstRow + row
            let slopeV = rowSlope[v]
            let line = pixels + v * frame.width + region.firstColumn
            let slopes = columnSlope + region.firstColumn
            let bandRow = rowMasked[row] != 0
            let skipLow: UInt16 = bandRow ? bandLow : 0
            let skipSpan: UInt16 = bandRow ? bandSpan : 0
            for column in 0..<regionWidth {
                let raw = line[column]
                if raw == 0 || raw &- skipLow <= skipSpan { continue }
                let z = Float(raw)
                let depth = z - standoff
                if depth <= protrusionLimit {
                    protrudingSquaredDepth += z * z
                    maxProtrusion = max(maxProtrusion, -depth)
                }
                let x = xBase + slopes[column] * z
                let height = heightBase - slopeV * z
                if x < margin || x >= xLimit || height < margin || height >= heightLimit { continue }
                let cellColumn = min(lastColumn, Int(x * inverseCellWidth))
                let cellRow = min(lastRow, Int(height * inverseCellHeight))
                let cell = cellRow &* gridColumns &+ cellColumn
                // The nearest surface wins. Without a branch: whether a noisy pixel is nearer
                // than the last one in its cell is a coin toss the branch predictor loses.
                depths[cell] = min(depths[cell], min(binDepth, max(0, depth)))
                seen[cell] = 1
            }
        }
        let areaMM2 = Double(protrudingSquaredDepth) / (frame.intrinsics.fx * frame.intrinsics.fy)
        return ProtrusionReading(
            areaMM2: areaMM2, maxProtrusionMM: Double(maxProtrusion), protrudes: areaMM2 >= settings.minProtrusionAreaMM2)
    }

    /// Raw depths that, in a band row, are a band: within `bandNearPlaneMM` of the bin front.
    private func bandDepthRange(standoffMM: Double) -> ClosedRange<UInt16> {
        let low = UInt16(clamping: Int((standoffMM - settings.bandNearPlaneMM).rounded(.up)))
        let high = UInt16(clamping: Int((standoffMM + settings.bandNearPlaneMM).rounded(.down)))
        return low...max(low, high)
    }

    /// Recomputes the per-column and per-row slopes when the image size or intrinsics change.
    private func prepareSlopes(for frame: DepthFrame) {
        if frame.width == slopeWidth && frame.height == slopeHeight && frame.intrinsics == slopeIntrinsics { return }
        if frame.width > slopeWidth {
            columnSlope.deallocate()
            columnSlope = .allocate(capacity: frame.width)
        }
        if frame.height > slopeHeight {
            rowSlope.deallocate()
            rowSlope = .allocate(capacity: frame.height)
        }
        for u in 0..<frame.width {
            columnSlope[u] = Float((Double(u) - frame.intrinsics.cx) / frame.intrinsics.fx)
        }
        for v in 0..<frame.height {
            rowSlope[v] = Float((Double(v) - frame.intrinsics.cy) / frame.intrinsics.fy)
        }
        slopeWidth = max(slopeWidth, frame.width)
        slopeHeight = max(slopeHeight, frame.height)
        slopeIntrinsics = frame.intrinsics
    }
}
