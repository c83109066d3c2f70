import Config
import Glibc
import HAL

/// A depth camera fixed in front of the pod face, rendered from the world's geometry through a
/// pinhole model: the pod frame, closed bands (thin strips on the face plane), resting items'
/// front faces and tops, and each bin's floor, walls, ceiling and back. Then sensor noise
/// (Gaussian, per pixel) and dropouts (no return, 0), see `SimDepthNoise`. Not rendered: the EOAT
/// itself, item sides. Bins are traced again only when they change, so a frame of an unchanged pod
/// costs the noise alone.
///
/// The camera sits on the face's centre line, far enough back to see the whole face.
public final class SimDepthCamera: DepthCamera {
    public let name = "camera0"
    public let width: Int
    public let height: Int
    public let intrinsics: PinholeIntrinsics
    public let pose: CameraPose
    private let world: SimWorld
    private var noise: SimDepthNoise
    /// True depth per pixel (standoff included) as of the last frame, and the bins it shows.
    private var trueDepthMM: [Double] = []
    private var traced: [SimBin?] = []
    private var columnPixels = GridPixels(ranges: [], offsetMM: [], slope: [])
    private var rowPixels = GridPixels(ranges: [], offsetMM: [], slope: [])
    private let clock: MonotonicClock
    private let periodNanoseconds: UInt64
    private var latest: DepthFrame?
    private var sequence: UInt64 = 0
    /// Faults: no new frames (dropped), or the same frame forever (frozen).
    public var dropFrames = false
    public var freezeFrames = false
    /// Fault: frames arrive this much late (their capture timestamps are this old).
    public var staleByNanoseconds: UInt64 = 0
    /// When set, frames show only the bin at this index of the pod's bins (and a margin of
    /// `windowMarginPixels` around it); every other pixel reads 0, no return. A simulated
    /// campaign sets it for the frames perception analyses for one bin (`PerceptionDemand`):
    /// the sensor noise of the other pixels was a tenth of the campaign's CPU. The pixels shown
    /// are exactly what a full frame would show (see `SimDepthNoise.apply`).
    public var onlyBin: Int?
    /// When set (and `onlyBin` is not), frames show every bin, each with the margin `onlyBin`
    /// gives it, and the pod frame between the bins reads 0. A simulated campaign sets it: its
    /// frames are read by perception alone, which looks inside the openings only, and the noise
    /// of the frame's pixels was a fifth of a full frame's cost.
    public var openingsOnly = false
    /// Perception reads a bin's opening shrunk by a pixel; this margin keeps a window that ends
    /// a pixel early (rounding) from cutting into it.
    static let windowMarginPixels = 2
    /// Band half-thickness as the camera sees it.
    static let bandHalfHeightMM = 3.0

    public init(world: SimWorld, camera: CameraConfig, noiseMM: Double, dropoutShare: Double, seed: UInt64, clock: MonotonicClock) {
        self.world = world
        width = camera.widthPX
        height = camera.heightPX
        intrinsics = PinholeIntrinsics(fx: camera.fxPX, fy: camera.fyPX, cx: camera.cxPX, cy: camera.cyPX)
        let faceWidth = world.pod.faceWidthMM, faceHeight = world.pod.faceHeightMM
        let standoffForWidth = (faceWidth / 2) * camera.fxPX / min(camera.cxPX, Double(camera.widthPX) - camera.cxPX)
        let standoffForHeight = (faceHeight / 2) * camera.fyPX / min(camera.cyPX, Double(camera.heightPX) - camera.cyPX)
        pose = CameraPose(xMM: faceWidth / 2, yMM: faceHeight / 2, standoffMM: (max(standoffForWidth, standoffForHeight) * 1.05).rounded())
        noise = SimDepthNoise(standardDeviationMM: noiseMM, dropoutShare: dropoutShare,
                              random: SimRandom(seed: seed, stream: .cameraNoise))
        self.clock = clock
        periodNanoseconds = UInt64(1e9 / camera.rateHz)
    }

    /// A new frame once per camera period; in between, the previous one.
    public func latestFrame() throws -> DepthFrame? {
        let now = clock.now()
        if freezeFrames, latest != nil { return latest }
        if let latest, now.nanoseconds < latest.timestamp.nanoseconds + staleByNanoseconds + periodNanoseconds { return latest }
        if dropFrames { return latest }
        let captured = MonotonicInstant(nanoseconds: now.nanoseconds - min(now.nanoseconds, staleByNanoseconds))
        latest = render(at: captured)
        return latest
    }

    /// Renders the pod as it is now: the true depth of every pixel (only bins that changed since
    /// the previous frame are traced again), then the sensor's noise and dropouts.
    public func render(at timestamp: MonotonicInstant? = nil) -> DepthFrame {
        sequence += 1
        let pod = world.pod
        updateTrueDepth(pod: pod)
        var rows = [0..<height], columns = [0..<width]
        if let bin = onlyBin, bin >= 0, bin < pod.bins.count {
            rows = [Self.widened(rowPixels.ranges[bin / pod.columns], by: Self.windowMarginPixels, within: height)]
            columns = [Self.widened(columnPixels.ranges[bin % pod.columns], by: Self.windowMarginPixels, within: width)]
        } else if openingsOnly {
            rows = Self.merged(rowPixels.ranges.map { Self.widened($0, by: Self.windowMarginPixels, within: height) })
            columns = Self.merged(columnPixels.ranges.map { Self.widened($0, by: Self.windowMarginPixels, within: width) })
        }
        let pixels = noise.apply(to: trueDepthMM, width: width, rows: rows, columns: columns)
        return DepthFrame(sequence: sequence, timestamp: timestamp ?? clock.now(), width: width, height: height,
                          depthMM: pixels, intrinsics: intrinsics, pose: pose, openings: pod.bins.map(\.opening))
    }

    // MARK: - Private helpers

    /// `range` grown by `margin` on both sides, clipped to `0..<limit`; empty stays empty.
    private static func widened(_ range: Range<Int>, by margin: Int, within limit: Int) -> Range<Int> {
        guard !range.isEmpty else { return range }
        return max(0, range.lowerBound - margin)..<min(limit, range.upperBound + margin)
    }

    /// `ranges` in order, overlapping or touching ones joined, empty ones left out.
    private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !range.isEmpty {
            if let last = result.last, range.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// Which pixel columns (or rows) look into one column (or row) of bins, and where each
    /// pixel's ray crosses the face plane, measured from that opening's left (or bottom) edge.
    /// The pod is a regular grid, so a pixel's bin is (row of its v, column of its u).
    private struct GridPixels {
        /// Pixel range per bin column (or row); empty for one the camera does not see.
        var ranges: [Range<Int>]
        /// Per pixel: face-plane offset into its bin column (or row); unused on the frame.
        var offsetMM: [Double]
        /// Per pixel: the ray's lateral movement per mm of depth.
        var slope: [Double]
    }

    /// Traces again every bin that differs from the one traced for the previous frame.
    private func updateTrueDepth(pod: SimPod) {
        if traced.count != pod.bins.count {
            columnPixels = gridPixels(count: width, focal: intrinsics.fx, centre: intrinsics.cx, poseMM: pose.xMM, sign: 1,
                                      openings: (0..<pod.columns).map { (pod.bins[$0].opening.xMM, pod.bins[$0].widthMM) })
            rowPixels = gridPixels(count: height, focal: intrinsics.fy, centre: intrinsics.cy, poseMM: pose.yMM, sign: -1,
                                   openings: (0..<pod.rows).map { (pod.bins[$0 * pod.columns].opening.yMM, pod.bins[$0 * pod.columns].heightMM) })
            trueDepthMM = [Double](repeating: pose.standoffMM, count: width * height)
            traced = pod.bins.map { Optional($0) }
            for index in pod.bins.indices { trace(pod.bins[index], row: index / pod.columns, column: index % pod.columns) }
            return
        }
        for index in pod.bins.indices where traced[index] != pod.bins[index] {
            traced[index] = pod.bins[index]
            trace(pod.bins[index], row: index / pod.columns, column: index % pod.columns)
        }
    }

    private func gridPixels(count: Int, focal: Double, centre: Double, poseMM: Double, sign: Double,
                            openings: [(startMM: Double, sizeMM: Double)]) -> GridPixels {
        var grid = GridPixels(ranges: Array(repeating: 0..<0, count: openings.count), offsetMM: [], slope: [])
        for pixel in 0..<count {
            let slope = sign * ((Double(pixel) + 0.5) - centre) / focal
            let faceMM = poseMM + slope * pose.standoffMM
            var offset = 0.0
            if let index = openings.firstIndex(where: { faceMM >= $0.startMM && faceMM < $0.startMM + $0.sizeMM }) {
                offset = faceMM - openings[index].startMM
                let range = grid.ranges[index]
                grid.ranges[index] = range.isEmpty ? pixel..<(pixel + 1) : min(range.lowerBound, pixel)..<max(range.upperBound, pixel + 1)
            }
            grid.offsetMM.append(offset)
            grid.slope.append(slope)
        }
        return grid
    }

    /// Writes the true depth (standoff plus depth inside) of every pixel that looks into `bin`.
    private func trace(_ bin: SimBin, row: Int, column: Int) {
        let standoff = pose.standoffMM
        let columns = columnPixels, rows = rowPixels
        let width = self.width
        let pixelColumns = columns.ranges[column]
        let contents = bin.contents
        // What a pixel's depth is made of, worked out once for its column, once for its row, and
        // per pixel only what needs both (see `depthInsideMM`, which this computes pixel by pixel).
        let sideWallMM = pixelColumns.map { u in
            Self.wallDistanceMM(offsetMM: columns.offsetMM[u], slope: columns.slope[u], sizeMM: bin.widthMM)
        }
        var faces = [RowFaces](repeating: RowFaces(frontInRow: false, topMM: 0, topInRow: false), count: contents.count)
        trueDepthMM.withUnsafeMutableBufferPointer { depths in
            for v in rows.ranges[row] {
                let y0 = rows.offsetMM[v], slopeY = rows.slope[v]
                let onBand = !bin.bandsOpen && bin.bandHeightsMM.contains { abs(y0 - $0) <= Self.bandHalfHeightMM }
                let floorOrCeilingMM = Self.wallDistanceMM(offsetMM: y0, slope: slopeY, sizeMM: bin.heightMM)
                for (index, placed) in contents.enumerated() {
                    let y = y0 + slopeY * placed.frontMM
                    let topMM = slopeY < 0 ? (placed.item.heightMM - y0) / slopeY : 0
                    faces[index] = RowFaces(
                        frontInRow: y >= 0 && y < placed.item.heightMM, topMM: topMM,
                        topInRow: slopeY < 0 && topMM >= placed.frontMM && topMM <= placed.backMM)
                }
                for (index, u) in pixelColumns.enumerated() {
                    var depthMM = 0.0
                    if !onBand {
                        depthMM = Self.depthInsideMM(
                            bin, x0: columns.offsetMM[u], slopeX: columns.slope[u], sideWallMM: sideWallMM[index],
                            floorOrCeilingMM: floorOrCeilingMM, faces: faces)
                    }
                    depths[v * width + u] = standoff + depthMM
                }
            }
        }
    }

    /// One placed item's faces as one row of pixels sees them: whether the front face spans the
    /// row's height where the rays reach it, and the depth at which the rays meet the plane of
    /// the top face (seen from above) and whether that lies between its front and back.
    private struct RowFaces {
        var frontInRow: Bool
        var topMM: Double
        var topInRow: Bool
    }

    /// Depth past the face plane at which a ray entering `offsetMM` from a bin's wall, moving
    /// `slope` sideways per mm of depth, meets one of the two walls `sizeMM` apart; 0 (never) when
    /// it moves parallel to them.
    private static func wallDistanceMM(offsetMM: Double, slope: Double, sizeMM: Double) -> Double {
        if slope < 0 { return -offsetMM / slope }
        if slope > 0 { return (sizeMM - offsetMM) / slope }
        return 0
    }

    /// Depth past the face plane along the ray that enters `bin` at `x0` from its left wall,
    /// moving `slopeX` sideways per mm of depth, in a row that meets the floor or ceiling at
    /// `floorOrCeilingMM` and sees the contents' faces as `faces`.
    private static func depthInsideMM(
        _ bin: SimBin, x0: Double, slopeX: Double, sideWallMM: Double, floorOrCeilingMM: Double, faces: [RowFaces]
    ) -> Double {
        var nearest = bin.depthMM
        func consider(_ z: Double) { if z > 0, z < nearest { nearest = z } }
        // Walls, floor and ceiling.
        consider(sideWallMM)
        consider(floorOrCeilingMM)
        for (placed, face) in zip(bin.contents, faces) {
            // Front face.
            let z = placed.frontMM
            let x = x0 + slopeX * z
            if face.frontInRow, x >= placed.xMM, x < placed.rightMM {
                if z < nearest { nearest = max(z, 0.0001) }
            }
            // Top face, seen from above.
            if face.topInRow {
                let xTop = x0 + slopeX * face.topMM
                if xTop >= placed.xMM, xTop < placed.rightMM {
                    consider(face.topMM)
                }
            }
        }
        return nearest
    }
}
