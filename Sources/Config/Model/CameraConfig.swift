/// Where depth frames come from.
public enum CameraSource: String, CaseIterable, Sendable {
    /// SimHAL renders the bin face.
    case sim
    /// Recorded 16-bit PGM frames with JSON sidecars, replayed from a directory.
    case replay
}

/// The depth camera looking at the pod face: a pinhole model.
public struct CameraConfig: Equatable, Sendable {
    public var source: CameraSource
    /// Directory of recorded frames when `source == .replay`.
    public var replayDirectory: String?
    public var widthPX: Int
    public var heightPX: Int
    /// Focal lengths and principal point in pixels.
    public var fxPX: Double
    public var fyPX: Double
    public var cxPX: Double
    public var cyPX: Double
    public var rateHz: Double

    public init(
        source: CameraSource, replayDirectory: String?, widthPX: Int, heightPX: Int, fxPX: Double, fyPX: Double,
        cxPX: Double, cyPX: Double, rateHz: Double
    ) {
        self.source = source
        self.replayDirectory = replayDirectory
        self.widthPX = widthPX
        self.heightPX = heightPX
        self.fxPX = fxPX
        self.fyPX = fyPX
        self.cxPX = cxPX
        self.cyPX = cyPX
        self.rateHz = rateHz
    }
}

extension CameraConfig {
    static func read(_ node: ConfigNode) -> CameraConfig? {
        guard let map = node.mapping() else { return nil }
        let source = map.required("source")?.oneOf(CameraSource.self)
        let directoryNode = map.optional("replay_directory")
        let directory = directoryNode?.name()
        let width = map.required("width_px")?.int(in: 16...4096, unit: "px")
        let height = map.required("height_px")?.int(in: 16...4096, unit: "px")
        let fx = map.required("fx_px")?.double(in: 1...100_000, unit: "px")
        let fy = map.required("fy_px")?.double(in: 1...100_000, unit: "px")
        let cx = map.required("cx_px")?.double(in: 0...4096, unit: "px")
        let cy = map.required("cy_px")?.double(in: 0...4096, unit: "px")
        let rate = map.required("rate_hz")?.double(in: 1...120, unit: "Hz")
        if source == .replay, directoryNode == nil {
            node.reader.error(at: map.mark, node.path + ".replay_directory", "required when source is replay")
        }
        if source == .sim, let directoryNode {
            node.reader.error(at: directoryNode, "only read when source is replay", hint: "remove it")
        }
        map.finish()
        guard let source, let width, let height, let fx, let fy, let cx, let cy, let rate else { return nil }
        return CameraConfig(source: source, replayDirectory: directory, widthPX: width, heightPX: height,
                            fxPX: fx, fyPX: fy, cxPX: cx, cyPX: cy, rateHz: rate)
    }
}
