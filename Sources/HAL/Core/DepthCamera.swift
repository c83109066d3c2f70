/// A depth camera looking at the pod face: the simulator's renderer, or recorded frames.
public protocol DepthCamera: AnyObject {
    /// `camera0`, as in config and logs.
    var name: String { get }
    /// The newest frame, or nil when none has arrived yet. Never waits: a camera that produced
    /// nothing new returns the same frame again (same `sequence`), and the caller judges age
    /// from `timestamp`. Throws `HALError` when the device failed.
    func latestFrame() throws -> DepthFrame?
}

/// Pinhole intrinsics in pixels: u = fx * x / z + cx, v = fy * y / z + cy, with v growing downward.
public struct PinholeIntrinsics: Equatable, Sendable, Codable {
    public var fx: Double
    public var fy: Double
    public var cx: Double
    public var cy: Double

    public init(fx: Double, fy: Double, cx: Double, cy: Double) {
        self.fx = fx
        self.fy = fy
        self.cx = cx
        self.cy = cy
    }
}

/// Where the camera sits relative to the pod face. Face coordinates: x to the right, y up, in mm,
/// on the plane of the bin fronts (the bands). The optical axis is normal to the face, so a pixel's
/// depth is `standoffMM` on the face plane and `standoffMM + d` at d mm inside a bin.
public struct CameraPose: Equatable, Sendable, Codable {
    public var xMM: Double
    public var yMM: Double
    public var standoffMM: Double

    public init(xMM: Double, yMM: Double, standoffMM: Double) {
        self.xMM = xMM
        self.yMM = yMM
        self.standoffMM = standoffMM
    }
}

/// A bin's front opening on the face plane (lower-left corner, size) and its depth, in mm.
public struct BinOpening: Equatable, Sendable, Codable {
    /// `r1c2`: row 1 (bottom is row 0), column 2 (left is column 0).
    public var name: String
    public var xMM: Double
    public var yMM: Double
    public var widthMM: Double
    public var heightMM: Double
    public var depthMM: Double

    public init(name: String, xMM: Double, yMM: Double, widthMM: Double, heightMM: Double, depthMM: Double) {
        self.name = name
        self.xMM = xMM
        self.yMM = yMM
        self.widthMM = widthMM
        self.heightMM = heightMM
        self.depthMM = depthMM
    }
}

/// One 16-bit depth image: row-major, `depthMM[v * width + u]` in mm along the optical axis,
/// 0 where the sensor had no return.
public struct DepthFrame: Sendable {
    /// Increments by one per captured frame; a repeated number is a repeated frame.
    public var sequence: UInt64
    /// When the frame was captured, on the controller's monotonic clock.
    public var timestamp: MonotonicInstant
    public var width: Int
    public var height: Int
    public var depthMM: [UInt16]
    public var intrinsics: PinholeIntrinsics
    public var pose: CameraPose
    /// The bin openings in view.
    public var openings: [BinOpening]

    public init(
        sequence: UInt64, timestamp: MonotonicInstant, width: Int, height: Int, depthMM: [UInt16],
        intrinsics: PinholeIntrinsics, pose: CameraPose, openings: [BinOpening]
    ) {
        precondition(depthMM.count == width * height, "depth image is \(depthMM.count) pixels, not \(width)x\(height)")
        self.sequence = sequence
        self.timestamp = timestamp
        self.width = width
        self.height = height
        self.depthMM = depthMM
        self.intrinsics = intrinsics
        self.pose = pose
        self.openings = openings
    }

    public subscript(u: Int, v: Int) -> UInt16 { depthMM[v * width + u] }
}
