import HAL
import Testing
@testable import SimHAL

/// The plank makes room by pushing resting items sideways, up to what the walls and the drive allow.
@Suite("SimWorld making space")
struct SimWorldMakeSpaceTests {
    static func resting(_ id: String, x: Double, width: Double, front: Double = 200, depth: Double = 150, fragilityN: Double = 300) -> PlacedItem {
        PlacedItem(item: WorldRig.item(id, width: width, depth: depth, fragilityN: fragilityN), xMM: x, frontMM: front)
    }

    @Test("the plank pushes an item out of the tool's column toward the nearer wall")
    func pushesAside() throws {
        let rig = WorldRig()
        rig.world.pod.bins[0].contents = [Self.resting("a", x: 100, width: 60)]
        rig.armTo(ArmPose(station: .bin("r0c0"), xMM: 170, advanceMM: 0))
        rig.move(rig.world.drives.jaw, toMM: 80)
        rig.run(ms: 600)
        rig.move(rig.world.drives.plank, toMM: 300)
        rig.run(ms: 2_000)
        let moved = rig.world.pod.bins[0].contents[0]
        let column = rig.world.toolColumnMM
        #expect(moved.rightMM <= column.low + 0.5, "pushed clear of the column")
        #expect(moved.xMM >= -SimPhysics.wallBulgeMM)
        #expect(!rig.world.drives.plank.isStalled)
    }

    @Test("the arm leaving a bin with the plank out is a tool collision, recorded as the arm starts to move")
    func leavingWithThePlankOutCollides() throws {
        let rig = WorldRig()
        rig.armTo(ArmPose(station: .bin("r0c0"), xMM: 140, advanceMM: 0))
        rig.move(rig.world.drives.plank, toMM: 200)
        rig.run(ms: 1_500)
        rig.world.outputs.ready = false
        try rig.world.requestArmMove(to: .induct)
        rig.run(ms: 100)
        #expect(!rig.world.events.contains { $0.kind == .toolCollision }, "the arm has not moved yet")
        rig.world.outputs.ready = true
        rig.run(ms: 1)
        let collision = try #require(rig.world.events.first { $0.kind == .toolCollision })
        #expect(collision.subject == "r0c0")
    }

    @Test("the arm leaving a bin with the plank home is no collision")
    func leavingWithThePlankHomeIsClean() throws {
        let rig = WorldRig()
        rig.armTo(ArmPose(station: .bin("r0c0"), xMM: 140, advanceMM: 0))
        try rig.world.requestArmMove(to: .induct)
        rig.run(ms: 1_000)
        #expect(!rig.world.events.contains { $0.kind == .toolCollision })
    }

    @Test("a full side packs against the wall; when the wall is taut the plank stalls")
    func tautWallStalls() throws {
        let rig = WorldRig()
        rig.world.pod.bins[0].contents = [Self.resting("a", x: 0, width: 90), Self.resting("b", x: 90, width: 90)]
        rig.armTo(ArmPose(station: .bin("r0c0"), xMM: 150, advanceMM: 0))
        rig.move(rig.world.drives.jaw, toMM: 100)
        rig.run(ms: 600)
        rig.move(rig.world.drives.plank, toMM: 300)
        rig.run(ms: 1_500)
        #expect(rig.world.drives.plank.isStalled || rig.world.drives.plank.state.isFault)
        #expect(rig.world.drives.plank.positionMM < 250)
    }

    @Test("pushing harder than a resting item can take damages it")
    func pushDamage() throws {
        let rig = WorldRig()
        rig.world.pod.bins[0].contents = [Self.resting("a", x: 0, width: 90, fragilityN: 10),
                                          Self.resting("b", x: 95, width: 90, fragilityN: 10)]
        rig.armTo(ArmPose(station: .bin("r0c0"), xMM: 160, advanceMM: 0))
        rig.move(rig.world.drives.jaw, toMM: 100)
        rig.run(ms: 600)
        rig.move(rig.world.drives.plank, toMM: 300)
        rig.run(ms: 1_500)
        #expect(rig.events(.damage).contains { $0.detail.contains("plank pushed") })
    }

    @Test("an item sticking more than half out of the bin falls when the plank shoves it (amnesty)")
    func shovedOut() throws {
        let rig = WorldRig()
        rig.world.pod.bins[0].contents = [Self.resting("sticking-out", x: 110, width: 60, front: -90, depth: 150)]
        rig.world.outputs.bandSeparatorSolenoid = true
        rig.armTo(ArmPose(station: .bin("r0c0"), xMM: 170, advanceMM: 0))
        rig.move(rig.world.drives.jaw, toMM: 80)
        rig.run(ms: 600)
        rig.move(rig.world.drives.plank, toMM: 200)
        rig.run(ms: 1_500)
        let fell = try #require(rig.events(.contentFell).first)
        #expect(fell.subject == "sticking-out")
    }
}
