import Config
import HAL
import SimHAL
import Testing
@testable import Perception

/// Issue 6's accuracy targets, judged by SimHAL's ground truth: seeded pods (sim.yaml's, 16 bins
/// with bands and 40 % initial fill) seen by SimHAL's camera with sim.yaml's settings (640x480,
/// fx 520, from about 1.1 m: about 2.1 mm per pixel on the face), 2 mm noise and 1 % dropouts.
/// Where these targets stop holding (deeper gaps, bins seen at a steep angle) is in
/// docs/perception.md, where it fails.
@Suite("Accuracy against SimHAL ground truth")
struct SimGroundTruthTests {
    static let seeds = UInt64(1)...20
    static let verificationSeeds = UInt64(1)...10

    /// "seed 3 r1c2: items x 10-60 front 230 h 120, ..." for failure messages.
    static func describe(_ truth: SimBinGroundTruth) -> String {
        truth.items.map { "x \(Int($0.xMM))-\(Int($0.rightMM)) front \(Int($0.frontMM)) h \(Int($0.item.heightMM))" }
            .joined(separator: ", ")
    }

    @Test("every gap the truth has, 10 mm wider than the narrowest gap, is found within 10 mm in position and width, in all 16 bins over 20 seeds")
    func gapPositionAndWidth() {
        for seed in Self.seeds {
            let rig = SimGroundTruthRig(seed: seed)
            let observation = rig.observe()
            let settings = rig.pipeline.settings
            #expect(observation.bins.count == 16)
            for (index, bin) in observation.bins.enumerated() {
                let truth = rig.world.groundTruth(bin: index)
                for gap in truth.freeGaps(minDepthMM: settings.minGapDepthMM) where gap.widthMM >= settings.minGapWidthMM + 10 {
                    let match = bin.gaps.first { abs($0.xMM - gap.xMM) <= 10 && abs($0.widthMM - gap.widthMM) <= 10 }
                    #expect(match != nil, "seed \(seed) \(bin.name): true gap x \(gap.xMM) w \(gap.widthMM) not in \(Array(bin.gaps)); items \(Self.describe(truth))")
                }
            }
        }
    }

    @Test("no gap is reported where the item cannot fit: every reported gap lies on floor the truth says is free to the gap depth, over 20 seeds")
    func noGapOverItems() {
        for seed in Self.seeds {
            let rig = SimGroundTruthRig(seed: seed)
            let observation = rig.observe()
            let settings = rig.pipeline.settings
            for (index, bin) in observation.bins.enumerated() {
                let truth = rig.world.groundTruth(bin: index)
                let free = truth.freeGaps(minDepthMM: settings.minGapDepthMM)
                for gap in bin.gaps {
                    let inside = free.contains { gap.xMM >= $0.xMM - 3 && gap.rightMM <= $0.xMM + $0.widthMM + 3 }
                    #expect(inside, "seed \(seed) \(bin.name): reported \(gap) is not on free floor \(free); items \(Self.describe(truth))")
                    #expect(gap.widthMM >= settings.minGapWidthMM && gap.depthMM >= settings.minGapDepthMM)
                }
            }
        }
    }

    /// A rigid box for stowing: the size of a typical stow, narrower than the gap.
    static func stowItem(seed: UInt64, widthMM: Double) -> SimItem {
        SimItem(id: "stowed-\(seed)", kind: .rigidBox, widthMM: widthMM, heightMM: 100, depthMM: 150, massKG: 0.5,
                fragilityN: 300, stiffnessNPerMM: 60, maxCompressionMM: 2)
    }

    /// Before frame, baselines for every bin, `change` applied to the pod, after frame.
    static func verify(_ rig: SimGroundTruthRig, change: (SimWorld) -> Void) -> PerceptionObservation {
        _ = rig.observe()
        for index in 0..<rig.world.pod.bins.count { rig.pipeline.captureBaseline(bin: index, sequence: 1) }
        change(rig.world)
        return rig.observe()
    }

    @Test("a bin nobody touched verifies as unchanged, in all 16 bins over 10 seeds")
    func verificationNothingChanged() {
        for seed in Self.verificationSeeds {
            let rig = SimGroundTruthRig(seed: seed)
            let after = Self.verify(rig) { _ in }
            for bin in after.bins {
                let verdict = bin.verification
                #expect(verdict?.itemPlaced == false && verdict?.itemLeftBin == false && verdict?.protrusion == false,
                        "seed \(seed) \(bin.name): \(String(describing: verdict))")
            }
        }
    }

    @Test("an item stowed into a bin's widest gap is seen placed, nothing left, nothing protrudes, in all 16 bins over 10 seeds")
    func verificationItemPlaced() {
        for seed in Self.verificationSeeds {
            let rig = SimGroundTruthRig(seed: seed)
            var stowed = Set<Int>()
            let after = Self.verify(rig) { world in
                for index in world.pod.bins.indices {
                    let truth = world.groundTruth(bin: index)
                    guard let gap = truth.freeGaps(minDepthMM: 200).max(by: { $0.widthMM < $1.widthMM }), gap.widthMM >= 70 else { continue }
                    let item = Self.stowItem(seed: seed, widthMM: min(120, gap.widthMM - 20))
                    // PlacedItem's initialiser is SimHAL's own: reshape a resting item into the stowed one.
                    guard var placed = world.pod.bins.lazy.flatMap(\.contents).first else { continue }
                    placed.item = item
                    placed.xMM = gap.xMM + 10
                    placed.frontMM = 40
                    world.pod.bins[index].contents.append(placed)
                    stowed.insert(index)
                }
            }
            #expect(stowed.count >= 8, "seed \(seed): only \(stowed.count) bins had room")
            for (index, bin) in after.bins.enumerated() where stowed.contains(index) {
                let verdict = bin.verification
                #expect(verdict?.itemPlaced == true && verdict?.itemLeftBin == false && verdict?.protrusion == false,
                        "seed \(seed) \(bin.name): \(String(describing: verdict)); items \(Self.describe(rig.world.groundTruth(bin: index)))")
            }
        }
    }

    /// How much of `item`'s front the camera saw in `grid`: the area of cells over its front
    /// (across its width, below its height) seen within 20 mm of its front depth.
    static func visibleFrontAreaMM2(of item: PlacedItem, in grid: BinGrid) -> Double {
        var cells = 0
        for row in 0..<grid.rows where (Double(row) + 0.5) * grid.cellHeightMM < item.item.heightMM {
            for column in 0..<grid.columns {
                let centreMM = (Double(column) + 0.5) * grid.cellWidthMM
                guard centreMM >= item.xMM && centreMM <= item.rightMM, grid.wasSeen(column: column, row: row) else { continue }
                if abs(Double(grid.depthMM(column: column, row: row)) - item.frontMM) <= 20 { cells += 1 }
            }
        }
        return Double(cells) * grid.cellWidthMM * grid.cellHeightMM
    }

    /// The least front area the camera must have seen of an item for its leaving to be judged.
    /// In the top row (seen from below) and the right column (seen from the side) a low or deep
    /// item can hide behind the bin's lip or its neighbours. Of the 160 items removed below, 127
    /// were seen at least this much and all are caught; of the 33 others, 12 seen under 20 cm²
    /// (8 not at all) and 1 seen 29.5 cm² were missed (docs/perception.md, where it fails).
    static let judgedFrontAreaMM2 = 3_000.0

    @Test("an item the camera saw (at least 30 cm² of its front) taken out of a bin is seen leaving it, nothing placed, in all 16 bins over 10 seeds")
    func verificationItemLeft() {
        var judged = 0
        for seed in Self.verificationSeeds {
            let rig = SimGroundTruthRig(seed: seed)
            var emptied = [Int: PlacedItem]()
            var befores = [BinGrid]()
            let after = Self.verify(rig) { world in
                befores = world.pod.bins.indices.map { rig.pipeline.grid(bin: $0).snapshot() }
                for index in world.pod.bins.indices {
                    let contents = world.pod.bins[index].contents
                    guard let widest = contents.indices.max(by: { contents[$0].item.widthMM < contents[$1].item.widthMM }) else { continue }
                    emptied[index] = world.pod.bins[index].contents.remove(at: widest)
                }
            }
            for (index, bin) in after.bins.enumerated() {
                guard let removed = emptied[index],
                      Self.visibleFrontAreaMM2(of: removed, in: befores[index]) >= Self.judgedFrontAreaMM2 else { continue }
                judged += 1
                let verdict = bin.verification
                #expect(verdict?.itemLeftBin == true && verdict?.itemPlaced == false && verdict?.protrusion == false,
                        "seed \(seed) \(bin.name): removed x \(Int(removed.xMM))-\(Int(removed.rightMM)) front \(Int(removed.frontMM)) h \(Int(removed.item.heightMM)) w \(Int(removed.item.widthMM)): \(String(describing: verdict))")
            }
        }
        #expect(judged >= 120, "only \(judged) of 160 removed items were seen well enough to judge")
    }
}
