import Config
import HAL
import Testing
@testable import SimHAL

/// The controller's view: SimEOAT behind the same HAL contracts as the Linux backends.
@Suite("SimEOAT through the HAL")
struct SimEOATHALTests {
    @Test("the real Modbus CiA 402 client enables the plank, moves it, and the home switch follows")
    func plankMovesThroughModbus() throws {
        let eoat = try SimFixture.eoat()
        let plank = try SimFixture.drive(eoat, role: .plank)
        try eoat.output(named: "eoat.drive-enable")!.write(true)
        #expect(try eoat.input(named: "eoat.plank.home")!.read())
        try plank.enable(deadline: SimFixture.deadline(eoat))
        let target = DriveSetpoint(controlword: CiA402Controlword.enableOperation.rawValue | 0x10,
                                   mode: .profilePosition, targetPositionMM: 150)
        _ = try plank.exchange(target, deadline: SimFixture.deadline(eoat))
        SimFixture.run(eoat, ms: 1_500)
        let feedback = try plank.readFeedback(deadline: SimFixture.deadline(eoat))
        #expect(abs(feedback.positionMM - 150) < 0.5)
        #expect(CiA402State(statusword: feedback.statusword) == .operationEnabled)
        #expect(try !eoat.input(named: "eoat.plank.home")!.read())
    }

    @Test("outputs reach the world: the solenoid deploys the band separator within its stroke")
    func solenoid() throws {
        let eoat = try SimFixture.eoat()
        let deployed = try #require(eoat.input(named: "eoat.band-separator.deployed"))
        try eoat.output(named: "eoat.band-separator.solenoid")!.write(true)
        SimFixture.run(eoat, ms: 30)
        #expect(try !deployed.read(), "still swinging")
        SimFixture.run(eoat, ms: 40)
        #expect(try deployed.read())
    }

    @Test("the arm answers pose requests after its move time, only while eoat.ready is asserted")
    func armHandshake() throws {
        let eoat = try SimFixture.eoat()
        let inPosition = try #require(eoat.input(named: "arm.in-position"))
        #expect(try inPosition.read())
        try eoat.arm.requestMove(to: ArmPose(station: .bin("r1c1"), xMM: 140))
        SimFixture.run(eoat, ms: 2_000)
        #expect(try !inPosition.read(), "the arm does not move without eoat.ready")
        try eoat.output(named: "eoat.ready")!.write(true)
        SimFixture.run(eoat, ms: 899)
        #expect(try !inPosition.read())
        SimFixture.run(eoat, ms: 2)
        #expect(try inPosition.read())
        #expect(throws: HALError.self) { try eoat.arm.requestMove(to: ArmPose(station: .bin("r9c9"))) }
    }

    @Test("an item arrives at the induct with its catalog entry and is handed into the open jaws")
    func induct() throws {
        let eoat = try SimFixture.eoat()
        SimFixture.run(eoat, ms: 1)
        #expect(try !eoat.input(named: "eoat.item.in-jaw")!.read(), "the induct conveyor takes a while")
        SimFixture.run(eoat, ms: 400)
        #expect(try eoat.input(named: "eoat.item.in-jaw")!.read())
        SimFixture.run(eoat, ms: 600)
        #expect(try eoat.input(named: "eoat.item.induct")!.read(), "the next item waits at the induct")
        let item = try #require(try eoat.induct.currentItem())
        #expect(item.id == "item-000001")
        #expect(item.widthMM > 0 && item.heightMM > 0 && item.depthMM > 0)
    }
}
