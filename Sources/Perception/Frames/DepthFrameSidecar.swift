import HAL

/// The JSON file next to a recorded PGM frame (`frame-000001.pgm` → `frame-000001.json`): what
/// the pixels alone do not say. Schema `stow-depth-frame/1`, documented in docs/perception.md:
///
/// ```json
/// {
///   "format": "stow-depth-frame/1",
///   "sequence": 1,
///   "timestamp_ns": 1234567890,
///   "width": 640, "height": 480,
///   "fx": 520, "fy": 520, "cx": 320, "cy": 240,
///   "camera_pose": { "x_mm": 160, "y_mm": 130, "standoff_mm": 350 },
///   "openings": [ { "name": "r0c0", "x_mm": 20, "y_mm": 20, "width_mm": 280,
///                   "height_mm": 220, "depth_mm": 380 } ]
/// }
/// ```
public struct DepthFrameSidecar: Codable, Equatable, Sendable {
    public static let formatName = "stow-depth-frame/1"

    public struct Pose: Codable, Equatable, Sendable {
        public var xMM: Double
        public var yMM: Double
        public var standoffMM: Double

        enum CodingKeys: String, CodingKey {
            case xMM = "x_mm", yMM = "y_mm", standoffMM = "standoff_mm"
        }
    }

    public struct Opening: Codable, Equatable, Sendable {
        public var name: String
        public var xMM: Double
        public var yMM: Double
        public var widthMM: Double
        public var heightMM: Double
        public var depthMM: Double

        enum CodingKeys: String, CodingKey {
            case name, xMM = "x_mm", yMM = "y_mm", widthMM = "width_mm", heightMM = "height_mm", depthMM = "depth_mm"
        }
    }

    public var format: String
    public var sequence: UInt64
    /// Capture time on the recording machine's monotonic clock, in ns.
    public var timestampNS: UInt64
    public var width: Int
    public var height: Int
    public var fx: Double
    public var fy: Double
    public var cx: Double
    public var cy: Double
    public var cameraPose: Pose
    public var openings: [Opening]

    enum CodingKeys: String, CodingKey {
        case format, sequence, timestampNS = "timestamp_ns", width, height, fx, fy, cx, cy
        case cameraPose = "camera_pose", openings
    }

    /// The sidecar describing `frame`.
    public init(frame: DepthFrame) {
        format = Self.formatName
        sequence = frame.sequence
        timestampNS = frame.timestamp.nanoseconds
        width = frame.width
        height = frame.height
        fx = frame.intrinsics.fx
        fy = frame.intrinsics.fy
        cx = frame.intrinsics.cx
        cy = frame.intrinsics.cy
        cameraPose = Pose(xMM: frame.pose.xMM, yMM: frame.pose.yMM, standoffMM: frame.pose.standoffMM)
        openings = frame.openings.map {
            Opening(name: $0.name, xMM: $0.xMM, yMM: $0.yMM, widthMM: $0.widthMM, heightMM: $0.heightMM, depthMM: $0.depthMM)
        }
    }

    /// What is wrong with the values (beyond JSON types), or nil when they make sense.
    public func problem() -> String? {
        if format != Self.formatName { return "format is '\(format)', expected '\(Self.formatName)'" }
        if width <= 0 || height <= 0 { return "width and height must be positive" }
        if !(fx > 0 && fy > 0) { return "fx and fy must be positive (pixels)" }
        if !(cx.isFinite && cy.isFinite) { return "cx and cy must be finite (pixels)" }
        if !(cameraPose.standoffMM > 0) { return "camera_pose.standoff_mm must be positive" }
        if openings.isEmpty { return "openings is empty: name at least the bin in view" }
        for (index, opening) in openings.enumerated()
        where !(opening.widthMM > 0 && opening.heightMM > 0 && opening.depthMM > 0) {
            return "openings[\(index)] (\(opening.name)): width_mm, height_mm and depth_mm must be positive"
        }
        return nil
    }

    var intrinsics: PinholeIntrinsics { PinholeIntrinsics(fx: fx, fy: fy, cx: cx, cy: cy) }
    var pose: CameraPose { CameraPose(xMM: cameraPose.xMM, yMM: cameraPose.yMM, standoffMM: cameraPose.standoffMM) }
    var binOpenings: [BinOpening] {
        openings.map {
            BinOpening(name: $0.name, xMM: $0.xMM, yMM: $0.yMM, widthMM: $0.widthMM, heightMM: $0.heightMM, depthMM: $0.depthMM)
        }
    }
}
