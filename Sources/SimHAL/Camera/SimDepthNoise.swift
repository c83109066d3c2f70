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
    static let tableSize = 1 << 12

    let standardDeviationMM: Double
    let dropoutShare: Double
    /// Normal values with `standardDeviationMM`.
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
            offsetsMM = [0]
        }
        dropoutThreshold = UInt64((min(max(dropoutShare, 0), 1) * 4_294_967_296).rounded())
        self.random = random
    }

    /// Writes `trueDepthMM` as the sensor reports it (noise, dropouts, whole mm) into `pixels`;
    /// both hold the same number of pixels, `width` to an image row. Only the pixels in `rows` x
    /// `columns` are written; the stream still moves past the others (`SimRandom.skip`), so a
    /// pixel gets the same value whichever window it is rendered in, and later frames too.
    mutating func apply(to trueDepthMM: [Double], into pixels: inout [UInt16], width: Int, rows: Range<Int>, columns: Range<Int>) {
        precondition(trueDepthMM.count == pixels.count, "SimDepthNoise: \(trueDepthMM.count) depths for \(pixels.count) pixels")
        precondition(width > 0 && pixels.count % width == 0 && rows.upperBound * width <= pixels.count && columns.upperBound <= width,
                     "SimDepthNoise: window \(rows) x \(columns) outside \(width)-wide image of \(pixels.count) pixels")
        let threshold = dropoutThreshold
        let indexShift: UInt64 = offsetsMM.count == 1 ? 63 : 52
        let indexMask: UInt64 = offsetsMM.count == 1 ? 0 : UInt64(Self.tableSize - 1)
        var random = self.random
        offsetsMM.withUnsafeBufferPointer { offsets in
            trueDepthMM.withUnsafeBufferPointer { depths in
                pixels.withUnsafeMutableBufferPointer { out in
                    var drawn = 0
                    for row in rows {
                        random.skip(row * width + columns.lowerBound - drawn)
                        for index in (row * width + columns.lowerBound)..<(row * width + columns.upperBound) {
                            let draw = random.next()
                            if draw & 0xFFFF_FFFF < threshold {
                                out[index] = 0
                                continue
                            }
                            let depth = depths[index] + Double(offsets[Int((draw >> indexShift) & indexMask)])
                            // Rounds half away from zero, as `rounded()` does, for the positive depths a camera sees.
                            out[index] = depth <= 0 ? 0 : UInt16(clamping: Int(depth + 0.5))
                        }
                        drawn = row * width + columns.upperBound
                    }
                    random.skip(depths.count - drawn)
                }
            }
        }
        self.random = random
    }
}
