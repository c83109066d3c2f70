/// The phases of one stow, in order. Each has a timeout in config.
public enum StowPhase: String, CaseIterable, Sendable {
    case awaitItem = "await_item"
    case selectBin = "select_bin"
    case grasp
    case approach
    case separateBands = "separate_bands"
    case makeSpace = "make_space"
    case insert
    case retract
    case verify
}

/// How a stow is carried out: per-phase timeouts, force (current) limits, speeds, bin selection.
public struct StowConfig: Equatable, Sendable {
    public var timeoutsMS: [StowPhase: Double]
    /// Jaw current while gripping the item: the grip force limit.
    public var graspCurrentMA: Double
    /// Plank current above which making space stops: the push force limit.
    public var makeSpaceCurrentMA: Double
    /// Belt current above which an insert counts as jammed.
    public var insertCurrentMA: Double
    public var jawSpeedMMPerS: Double
    public var plankSpeedMMPerS: Double
    public var beltSpeedMMPerS: Double
    /// How far the plank sweeps sideways to push contents aside.
    public var plankSweepMM: Double
    /// Margins around the item when scoring free space.
    public var clearanceWidthMM: Double
    public var clearanceHeightMM: Double
    public var clearanceDepthMM: Double
    /// Other bins tried after a failed attempt before the item is sidelined.
    public var maxBinRetries: Int
    /// Upper bound on the share of stows that explore (relaxed margins, alternative behaviour).
    public var explorationShare: Double
}

extension StowConfig {
    static func read(_ node: ConfigNode, speedLimits: [DriveRole: Double]) -> StowConfig? {
        guard let map = node.mapping() else { return nil }
        var timeouts: [StowPhase: Double] = [:]
        if let timeoutNode = map.required("timeouts_ms"), let fields = timeoutNode.mapping() {
            for phase in StowPhase.allCases {
                timeouts[phase] = fields.required(phase.rawValue)?.double(in: 1...600_000, unit: "ms")
            }
            fields.finish()
        }
        var grasp, space, insert: Double?
        if let forceNode = map.required("force_limits_ma"), let fields = forceNode.mapping() {
            grasp = fields.required("grasp")?.double(in: 1...200_000, unit: "mA")
            space = fields.required("make_space")?.double(in: 1...200_000, unit: "mA")
            insert = fields.required("insert")?.double(in: 1...200_000, unit: "mA")
            fields.finish()
        }
        var jaw, plank, belts: Double?
        if let speedNode = map.required("speeds_mm_s"), let fields = speedNode.mapping() {
            jaw = speed(fields, "jaw", limit: speedLimits[.jaw])
            plank = speed(fields, "plank", limit: speedLimits[.plank])
            belts = speed(fields, "belts", limit: min(speedLimits[.leftBelt] ?? .infinity, speedLimits[.rightBelt] ?? .infinity))
            fields.finish()
        }
        let sweep = map.optional("plank_sweep_mm")?.double(in: 0...500, unit: "mm") ?? 40
        var width = 10.0, height = 10.0, depth = 10.0
        if let clearanceNode = map.optional("clearance_mm"), let fields = clearanceNode.mapping() {
            width = fields.optional("width")?.double(in: 0...200, unit: "mm") ?? width
            height = fields.optional("height")?.double(in: 0...200, unit: "mm") ?? height
            depth = fields.optional("depth")?.double(in: 0...200, unit: "mm") ?? depth
            fields.finish()
        }
        let retries = map.optional("max_bin_retries")?.int(in: 0...10) ?? 2
        let exploration = map.optional("exploration_share")?.double(in: 0...0.5) ?? 0.05
        map.finish()
        guard timeouts.count == StowPhase.allCases.count, let grasp, let space, let insert,
              let jaw, let plank, let belts else { return nil }
        return StowConfig(
            timeoutsMS: timeouts, graspCurrentMA: grasp, makeSpaceCurrentMA: space, insertCurrentMA: insert,
            jawSpeedMMPerS: jaw, plankSpeedMMPerS: plank, beltSpeedMMPerS: belts, plankSweepMM: sweep,
            clearanceWidthMM: width, clearanceHeightMM: height, clearanceDepthMM: depth,
            maxBinRetries: retries, explorationShare: exploration)
    }

    /// A phase speed may not exceed the drive's own speed limit.
    private static func speed(_ fields: MappingReader, _ key: String, limit: Double?) -> Double? {
        guard let node = fields.required(key) else { return nil }
        let upper = limit.map { $0.isFinite ? $0 : 5000 } ?? 5000
        return node.double(in: 0.1...upper, unit: "mm/s")
    }
}
