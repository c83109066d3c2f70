/// The simulated world for `backend: sim`: the pod, the item stream, the arm.
public struct SimConfig: Equatable, Sendable {
    /// Seed for the item stream, contents and sensor noise. Same seed, same campaign.
    public var seed: UInt64
    /// World profile: `default`, or `paper-2025`, calibrated to the published outcome mix.
    public var world: SimWorldProfile
    public var pod: PodConfig
    /// Time the simulated arm takes for one move between poses.
    public var armMoveMS: Double
    /// Depth noise (one standard deviation) and the share of pixels with no return.
    public var cameraNoiseMM: Double
    public var cameraDropoutShare: Double
    /// Faults to inject, as written (`estop at 12s`); SimHAL parses them and names this line on error.
    public var faults: [SimFaultLine]

    public init(
        seed: UInt64, world: SimWorldProfile, pod: PodConfig, armMoveMS: Double, cameraNoiseMM: Double,
        cameraDropoutShare: Double, faults: [SimFaultLine] = []
    ) {
        self.seed = seed
        self.world = world
        self.pod = pod
        self.armMoveMS = armMoveMS
        self.cameraNoiseMM = cameraNoiseMM
        self.cameraDropoutShare = cameraDropoutShare
        self.faults = faults
    }
}

/// One line of `sim.faults`, with where it is written.
public struct SimFaultLine: Equatable, Sendable {
    public var text: String
    public var location: SourceLocation

    public init(text: String, location: SourceLocation) {
        self.text = text
        self.location = location
    }
}

public enum SimWorldProfile: String, CaseIterable, Sendable {
    case `default`
    case paper2025 = "paper-2025"
}

/// A pod face: a grid of fabric bins, each fronted by elastic bands.
public struct PodConfig: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    public var binWidthMM: Double
    public var binHeightMM: Double
    public var binDepthMM: Double
    public var bandsPerBin: Int
    /// Band stiffness: force per mm of stretch.
    public var bandStiffnessNPerMM: Double
    /// Share of each bin's floor already occupied at the start, on average.
    public var initialFillShare: Double

    public init(
        rows: Int, columns: Int, binWidthMM: Double, binHeightMM: Double, binDepthMM: Double, bandsPerBin: Int,
        bandStiffnessNPerMM: Double, initialFillShare: Double
    ) {
        self.rows = rows
        self.columns = columns
        self.binWidthMM = binWidthMM
        self.binHeightMM = binHeightMM
        self.binDepthMM = binDepthMM
        self.bandsPerBin = bandsPerBin
        self.bandStiffnessNPerMM = bandStiffnessNPerMM
        self.initialFillShare = initialFillShare
    }
}

extension SimConfig {
    static func read(_ node: ConfigNode) -> SimConfig? {
        guard let map = node.mapping() else { return nil }
        let seed = map.optional("seed")?.int(in: 0...Int.max) ?? 1
        let world = map.optional("world")?.oneOf(SimWorldProfile.self) ?? .default
        let pod = map.required("pod").flatMap(readPod)
        let armMove = map.optional("arm_move_ms")?.double(in: 10...60_000, unit: "ms") ?? 900
        let noise = map.optional("camera_noise_mm")?.double(in: 0...50, unit: "mm") ?? 2
        let dropout = map.optional("camera_dropout_share")?.double(in: 0...0.5) ?? 0.01
        let faults = map.optional("faults").flatMap(readFaults) ?? []
        map.finish()
        guard let pod else { return nil }
        return SimConfig(seed: UInt64(seed), world: world, pod: pod, armMoveMS: armMove,
                         cameraNoiseMM: noise, cameraDropoutShare: dropout, faults: faults)
    }

    /// `faults:` is a list of fault lines in the grammar of `SimFaultSpec`; each is checked here.
    private static func readFaults(_ node: ConfigNode) -> [SimFaultLine]? {
        guard let items = node.sequence() else { return nil }
        var lines: [SimFaultLine] = []
        for item in items {
            guard let text = item.string() else { continue }
            do {
                _ = try SimFaultSpec.parse(text)
                lines.append(SimFaultLine(text: text, location: SourceLocation(mark: item.mark)))
            } catch let error as SimFaultSyntaxError {
                node.reader.error(at: item, error.message, hint: "see the fault grammar in firmware-config/README.md")
            } catch {
                node.reader.error(at: item, "\(error)")
            }
        }
        return lines
    }

    private static func readPod(_ node: ConfigNode) -> PodConfig? {
        guard let map = node.mapping() else { return nil }
        let rows = map.required("rows")?.int(in: 1...20)
        let columns = map.required("columns")?.int(in: 1...20)
        let width = map.required("bin_width_mm")?.double(in: 50...2000, unit: "mm")
        let height = map.required("bin_height_mm")?.double(in: 50...2000, unit: "mm")
        let depth = map.required("bin_depth_mm")?.double(in: 50...2000, unit: "mm")
        let bands = map.optional("bands_per_bin")?.int(in: 0...6) ?? 2
        let stiffness = map.optional("band_stiffness_n_per_mm")?.double(in: 0.001...10, unit: "N/mm") ?? 0.05
        let fill = map.optional("initial_fill_share")?.double(in: 0...0.95) ?? 0.4
        map.finish()
        guard let rows, let columns, let width, let height, let depth else { return nil }
        return PodConfig(rows: rows, columns: columns, binWidthMM: width, binHeightMM: height, binDepthMM: depth,
                         bandsPerBin: bands, bandStiffnessNPerMM: stiffness, initialFillShare: fill)
    }
}
