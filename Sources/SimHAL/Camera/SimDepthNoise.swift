/// The depth camera's sensor noise: per pixel a dropout (no return, 0) with the configured share,
/// otherwise Gaussian noise with the configured standard deviation, then rounding to whole mm.
///
/// Box-Muller for every pixel (a log, a cos and a square root for each of 640 x 480 pixels) was a
/// quarter of a campaign's wall time. Here each pixel takes one 64-bit draw from the camera's
/// SplitMix64 stream: its low 32 bits decide a dropout, its top 12 bits pick one of 4,096
/// normal values drawn once (Box-Muller, from the same stream) when the camera is made. Which
/// value a pixel gets is uniform and independent of its neighbours and of earlier frames, so the
/// noise is normal to within a sample of 4,096: its tails end near 3.5 sigma (7 mm at 2 mm).
/// The table is kept small (16 KB of Float) so it stays in the L1 cache: at 65,536 Doubles
/// (512 KB) the random reads missed the cache and the noise cost 7 ns a pixel.
struct SimDepthNoise {
    /// A draw's top 12 bits index the table.
    private static let tableIndexBits: UInt64 = 12
    static let tableSize = 1 << tableIndexBits

    let standardDeviationMM: Double
    let dropoutShare: Double
    /// `tableSize` normal values with `standardDeviationMM` (zeros without noise).
    private let offsetsMM: [Float]
    /// A draw whose low 32 bits are below this is a dropout.
    private let dropoutThreshold: UInt64
    private var random: SimRandom

    init(standardDeviationMM: Double, dropoutShare: Double, random: SimRandom) {
        self.standardDeviationMM = standardDeviationMM
        self.dropoutShare = dropoutShare
        var random = random
        if standardDeviationMM > 0 {
            offsetsMM = (0..<Self.tableSize).map { _ in Float(random.normal(standardDeviation: standardDeviationMM)) }
        } else {
            offsetsMM = Array(repeating: 0, count: Self.tableSize)
        }
        dropoutThreshold = UInt64((min(max(dropoutShare, 0), 1) * 4_294_967_296).rounded())
        self.random = random
    }

    /// `trueDepthMM` (`width` pixels to an image row) as the sensor reports it: noise, dropouts,
    /// whole mm. Only the pixels in the windows `rows` x `columns` are rendered (each list in
    /// order, its ranges apart), the others read 0; the stream still moves past them
    /// (`SimRandom.skip`), so a pixel gets the same value whichever windows it is rendered in,
    /// and later frames too.
    mutating func apply(to trueDepthMM: [Double], width: Int, rows: [Range<Int>], columns: [Range<Int>]) -> [UInt16] {
        let count = trueDepthMM.count
        precondition(width > 0 && count % width == 0, "SimDepthNoise: \(count) pixels is no whole number of \(width)-pixel rows")
        precondition(Self.inOrder(rows, within: count / width) && Self.inOrder(columns, within: width),
                     "SimDepthNoise: windows \(rows) x \(columns) overlap, are out of order or outside \(width)x\(count / width)")
        let threshold = dropoutThreshold
        var random = self.random
        let pixels = [UInt16](unsafeUninitializedCapacity: count) { out, initialized in
            let out = out.baseAddress!
            offsetsMM.withUnsafeBufferPointer { offsets in
                trueDepthMM.withUnsafeBufferPointer { depths in
                    let offsets = offsets.baseAddress!, depths = depths.baseAddress!
                    var drawn = 0
                    for row in rows.joined() {
                        for window in columns where !window.isEmpty {
                            let first = row * width + window.lowerBound, end = row * width + window.upperBound
                            out.advanced(by: drawn).update(repeating: 0, count: first - drawn)
                            random.skip(first - drawn)
                            for index in first..<end {
                                let draw = random.next()
                                let depth = depths[index] + Double(offsets[Int(truncatingIfNeeded: draw >> (64 - Self.tableIndexBits))])
                                // Whole mm, rounding half away from zero as `rounded()` does for the
                                // positive depths a camera sees; 0 (no return) for none. Clamped rather
                                // than tested, and the dropout picked rather than branched on: no
                                // branch per pixel.
                                let reported = UInt16(min(max(depth + 0.5, 0), 65535))
                                out[index] = draw & 0xFFFF_FFFF < threshold ? 0 : reported
                            }
                            drawn = end
                        }
                    }
                    out.advanced(by: drawn).update(repeating: 0, count: count - drawn)
                    random.skip(count - drawn)
                }
            }
            initialized = count
        }
        self.random = random
        return pixels
    }

    /// True when `ranges` lie within `0..<limit`, in order and apart.
    private static func inOrder(_ ranges: [Range<Int>], within limit: Int) -> Bool {
        var end = 0
        for range in ranges where !range.isEmpty {
            guard range.lowerBound >= end, range.upperBound <= limit else { return false }
            end = range.upperBound
        }
        return true
    }
}
