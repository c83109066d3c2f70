import HAL
import Testing
@testable import SimHAL

/// Each outcome class of the paper arises from the mechanics, for the stated reason.
@Suite("SimWorld outcomes")
struct SimWorldOutcomeTests {
    @Test("an item that fits, with the bands held open, is placed inside the bin")
    func placed() throws {
        let rig = WorldRig()
        rig.grasp(WorldRig.item(width: 80, depth: 120))
        rig.insert(intoBin: "r0c0", xMM: 140)
        rig.retract(fromBin: "r0c0", xMM: 140)
        let placed = try #require(rig.events(.itemPlaced).first)
        #expect(placed.subject == "test-item")
        #expect(!placed.detail.contains("protruding"))
        #expect(rig.events(.itemFell).isEmpty)
        #expect(rig.world.pod.bins[0].contents.map(\.item.id) == ["test-item"])
    }

    @Test("inserting through closed bands: the bands push the item back out (amnesty)")
    func bandsNotSeparated() throws {
        let rig = WorldRig()
        rig.grasp(WorldRig.item(height: 150, massKG: 0.3))
        rig.insert(intoBin: "r0c0", xMM: 140, separateBands: false)
        let fell = try #require(rig.events(.itemFell).first)
        #expect(fell.detail.contains("bands not separated"))
        #expect(rig.events(.itemPlaced).isEmpty)
    }

    @Test("an item taller than the bin jams at the opening and stays in the jaws (unproductive)")
    func noFit() throws {
        let rig = WorldRig()
        rig.grasp(WorldRig.item(height: 240))
        rig.insert(intoBin: "r0c0", xMM: 140)
        let jam = try #require(rig.events(.jam).first)
        #expect(jam.detail.contains("does not fit the opening"))
        #expect(rig.world.held != nil, "the item is still between the jaws, to be backed out")
        #expect(rig.events(.itemPlaced).isEmpty && rig.events(.itemFell).isEmpty)
    }

    @Test("an item blocked by contents against the back wall jams")
    func blockedByContents() throws {
        let rig = WorldRig()
        let blocker = PlacedItem(item: WorldRig.item("resting", width: 200, depth: 300), xMM: 40, frontMM: 80)
        rig.world.pod.bins[0].contents = [blocker]
        rig.grasp(WorldRig.item(depth: 200))
        rig.insert(intoBin: "r0c0", xMM: 140)
        let jam = try #require(rig.events(.jam).first)
        #expect(jam.detail.contains("resting at the back"))
    }

    @Test("squeezing a fragile item harder than it can take damages it")
    func gripDamage() throws {
        let rig = WorldRig()
        rig.grasp(WorldRig.item(fragilityN: 20), squeezeMM: 6)
        let damage = try #require(rig.events(.damage).first)
        #expect(damage.subject == "test-item")
        #expect(damage.detail.contains("jaw grip"))
    }

    @Test("jaws that barely touch cannot hold the item's weight: it is dropped in transit (amnesty)")
    func droppedInTransit() throws {
        let rig = WorldRig()
        rig.grasp(WorldRig.item(massKG: 2.0), squeezeMM: 0.01)
        try rig.world.requestArmMove(to: ArmPose(station: .bin("r0c0"), xMM: 140))
        rig.run(ms: 100)
        let fell = try #require(rig.events(.itemFell).first)
        #expect(fell.detail.contains("dropped while the arm was moving"))
    }

    @Test("letting go with most of the item outside the bin: it falls (amnesty)")
    func releasedOutside() throws {
        let rig = WorldRig()
        rig.grasp(WorldRig.item(depth: 200))
        rig.armTo(ArmPose(station: .bin("r0c0"), xMM: 140, advanceMM: 20))
        rig.move(rig.world.drives.jaw, toMM: 160)
        rig.run(ms: 800)
        let fell = try #require(rig.events(.itemFell).first)
        #expect(fell.detail.contains("outside bin r0c0"))
    }
}
