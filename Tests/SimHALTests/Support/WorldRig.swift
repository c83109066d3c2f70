import Config
import HAL
@testable import SimHAL

/// Drives a SimWorld the way the controller would, through CiA 402 objects and output lines,
/// in 1 ms steps, so mechanics tests read as a sequence of actions.
final class WorldRig {
    let world: SimWorld

    init(seed: UInt64 = 1, fill: Double = 0, bands: Int = 2, profile: SimWorldProfile = .default) {
        let pod = PodConfig(rows: 2, columns: 2, binWidthMM: 280, binHeightMM: 220, binDepthMM: 380,
                            bandsPerBin: bands, bandStiffnessNPerMM: 0.05, initialFillShare: fill)
        world = SimWorld(sim: SimConfig(seed: seed, world: profile, pod: pod, armMoveMS: 400,
                                        cameraNoiseMM: 0, cameraDropoutShare: 0))
        world.outputs.driveEnable = true
        world.outputs.ready = true
        for drive in world.drives.all { enable(drive) }
    }

    static func item(
        _ id: String = "test-item", kind: ItemKind = .rigidBox, width: Double = 80, height: Double = 60, depth: Double = 120,
        massKG: Double = 0.4, fragilityN: Double = 300
    ) -> SimItem {
        let soft = kind == .softBag
        return SimItem(id: id, kind: kind, widthMM: width, heightMM: height, depthMM: depth, massKG: massKG,
                       fragilityN: fragilityN, stiffnessNPerMM: soft ? 1.5 : 60, maxCompressionMM: soft ? width * 0.4 : 2)
    }

    func run(ms: Int) {
        for _ in 0..<ms { world.step(byNanoseconds: 1_000_000) }
    }

    /// Steps until `done` or `timeoutMS`; returns whether `done` became true.
    @discardableResult
    func run(untilMS timeoutMS: Int, _ done: () -> Bool) -> Bool {
        for _ in 0..<timeoutMS {
            if done() { return true }
            world.step(byNanoseconds: 1_000_000)
        }
        return done()
    }

    func enable(_ drive: SimDrive) {
        for word: Int64 in [0x06, 0x07, 0x0F] {
            try! drive.write(.controlword, value: word)
        }
    }

    func move(_ drive: SimDrive, toMM target: Double) {
        try! drive.write(.modesOfOperation, value: Int64(DriveMode.profilePosition.rawValue))
        try! drive.write(.targetPosition, value: Int64((target * drive.parameters.countsPerMM).rounded()))
        try! drive.write(.controlword, value: 0x0F)
        try! drive.write(.controlword, value: 0x1F)
        try! drive.write(.controlword, value: 0x0F)
    }

    func spin(_ drive: SimDrive, mmPerS velocity: Double) {
        try! drive.write(.modesOfOperation, value: Int64(DriveMode.profileVelocity.rawValue))
        try! drive.write(.targetVelocity, value: Int64((velocity * drive.parameters.countsPerMM).rounded()))
    }

    func belts(mmPerS velocity: Double) {
        spin(world.drives.leftBelt, mmPerS: velocity)
        spin(world.drives.rightBelt, mmPerS: velocity)
    }

    func armTo(_ pose: ArmPose) {
        try! world.requestArmMove(to: pose)
        run(untilMS: 5_000) { world.arm.inPosition }
    }

    /// Takes `item` at the induct and closes the jaws `squeezeMM` below its width.
    func grasp(_ item: SimItem, squeezeMM: Double = 3) {
        world.presentAtInduct(item)
        run(untilMS: 2_000) { world.held?.isBetweenJaws == true }
        move(world.drives.jaw, toMM: item.widthMM - squeezeMM)
        run(ms: 1_000)
    }

    /// Goes to the bin, opens the bands if asked, and drives the item in with the belts.
    func insert(intoBin bin: String, xMM: Double, separateBands: Bool = true, advanceMM: Double = 10) {
        armTo(ArmPose(station: .bin(bin), xMM: xMM, advanceMM: -20))
        if separateBands {
            world.outputs.bandSeparatorSolenoid = true
            run(ms: 100)
        }
        armTo(ArmPose(station: .bin(bin), xMM: xMM, advanceMM: advanceMM))
        belts(mmPerS: 300)
        run(untilMS: 3_000) { world.held == nil }
        belts(mmPerS: 0)
    }

    /// Opens the jaws, pulls back out of the bin and lets the bands close.
    func retract(fromBin bin: String, xMM: Double) {
        move(world.drives.jaw, toMM: 160)
        move(world.drives.plank, toMM: 0)
        run(ms: 800)
        armTo(ArmPose(station: .bin(bin), xMM: xMM, advanceMM: -60))
        world.outputs.bandSeparatorSolenoid = false
        run(ms: 200)
    }

    func events(_ kind: SimEvent.Kind) -> [SimEvent] {
        world.events.filter { $0.kind == kind }
    }
}
