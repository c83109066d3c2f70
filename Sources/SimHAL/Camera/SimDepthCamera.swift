import Config
import Glibc
import HAL

/// A depth camera fixed in front of the pod face, rendered from the world's geometry through a
/// pinhole model: the pod frame, closed bands (thin strips on the face plane), resting items'
/// front faces and tops, and each bin's floor, walls, ceiling and back. Then sensor noise
/// (Gaussian, per pixel) and dropouts (no return, 0). Not rendered: the EOAT itself, item sides.
///
/// The camera sits on the face's centre line, far enough back to see the whole face.
public final class SimDepthCamera: DepthCamera {
    public let name = "camera0"
    public let width: Int
    public let height: Int
    public let intrinsics: PinholeIntrinsics
    public let pose: CameraPose
    private let world: SimWorld
    private let noiseMM: Double
    private let dropoutShare: Double
    private var random: SimRandom
    private let clock: MonotonicClock
    private let periodNanoseconds: UInt64
    private var latest: DepthFrame?
    private var sequence: UInt64 = 0
    /// Faults: no new frames (dropped), or the same frame forever (frozen).
    public var dropFrames = false
    public var freezeFrames = false
    /// Fault: frames arrive this much late (their capture timestamps are this old).
    public var staleByNanoseconds: UInt64 = 0
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
        self.noiseMM = noiseMM
        self.dropoutShare = dropoutShare
        random = SimRandom(seed: seed, stream: .cameraNoise)
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

    /// Renders the pod as it is now.
    public func render(at timestamp: MonotonicInstant? = nil) -> DepthFrame {
        sequence += 1
        var pixels = [UInt16](repeating: 0, count: width * height)
        let openings = world.pod.bins.map(\.opening)
        for v in 0..<height {
            let slopeY = -((Double(v) + 0.5) - intrinsics.cy) / intrinsics.fy
            for u in 0..<width {
                let slopeX = ((Double(u) + 0.5) - intrinsics.cx) / intrinsics.fx
                var depth = pose.standoffMM + trueDepthInsideMM(slopeX: slopeX, slopeY: slopeY)
                if dropoutShare > 0, random.chance(dropoutShare) {
                    continue
                }
                if noiseMM > 0 {
                    depth += random.normal(standardDeviation: noiseMM)
                }
                pixels[v * width + u] = UInt16(clamping: Int(depth.rounded()))
            }
        }
        return DepthFrame(sequence: sequence, timestamp: timestamp ?? clock.now(), width: width, height: height,
                          depthMM: pixels, intrinsics: intrinsics, pose: pose, openings: openings)
    }

    /// Depth past the face plane along the ray with these slopes (0 on the frame and on bands).
    func trueDepthInsideMM(slopeX: Double, slopeY: Double) -> Double {
        let faceX = pose.xMM + slopeX * pose.standoffMM
        let faceY = pose.yMM + slopeY * pose.standoffMM
        // The ray's lateral movement per mm of depth is (slopeX, slopeY).
        guard let bin = world.pod.bins.first(where: { faceX >= $0.opening.xMM && faceX < $0.opening.xMM + $0.widthMM
                                                    && faceY >= $0.opening.yMM && faceY < $0.opening.yMM + $0.heightMM })
        else { return 0 }
        let x0 = faceX - bin.opening.xMM, y0 = faceY - bin.opening.yMM
        if !bin.bandsOpen, bin.bandHeightsMM.contains(where: { abs(y0 - $0) <= Self.bandHalfHeightMM }) {
            return 0
        }
        var nearest = bin.depthMM
        func consider(_ z: Double) { if z > 0, z < nearest { nearest = z } }
        // Walls, floor and ceiling.
        if slopeX < 0 { consider(-x0 / slopeX) }
        if slopeX > 0 { consider((bin.widthMM - x0) / slopeX) }
        if slopeY < 0 { consider(-y0 / slopeY) }
        if slopeY > 0 { consider((bin.heightMM - y0) / slopeY) }
        for placed in bin.contents {
            // Front face.
            let z = placed.frontMM
            let x = x0 + slopeX * z, y = y0 + slopeY * z
            if x >= placed.xMM, x < placed.rightMM, y >= 0, y < placed.item.heightMM {
                if z < nearest { nearest = max(z, 0.0001) }
            }
            // Top face, seen from above.
            if slopeY < 0 {
                let zTop = (placed.item.heightMM - y0) / slopeY
                let xTop = x0 + slopeX * zTop
                if zTop >= placed.frontMM, zTop <= placed.backMM, xTop >= placed.xMM, xTop < placed.rightMM {
                    consider(zTop)
                }
            }
        }
        return nearest
    }
}
