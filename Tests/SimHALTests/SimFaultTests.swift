import Config
import HAL
import Testing
@testable import SimHAL

/// Each fault kind SimHAL injects is observable through the HAL exactly as specified.
@Suite("SimHAL fault injection")
struct SimFaultTests {
    @Test("serial-timeout: the real client times out, and recovers when the fault ends")
    func serialTimeout() throws {
        let eoat = try SimFixture.eoat(faults: ["serial-timeout bus0 for 100ms"])
        let jaw = try SimFixture.drive(eoat, role: .jaw)
        SimFixture.run(eoat, ms: 1)
        #expect { try jaw.readState(deadline: SimFixture.deadline(eoat)) } throws: { error in
            guard let error = error as? HALError, case .timeout = error.cause else { return false }
            return true
        }
        SimFixture.run(eoat, ms: 200)
        #expect(try jaw.readState(deadline: SimFixture.deadline(eoat)) == .switchOnDisabled)
        #expect(eoat.world.events.filter { $0.kind == .faultStarted || $0.kind == .faultEnded }.count >= 2)
    }

    @Test("serial-crc and serial-garble: the client rejects the reply as a protocol violation")
    func serialCorruption() throws {
        for fault in ["serial-crc bus0 burst 1", "serial-garble bus0 burst 1"] {
            let eoat = try SimFixture.eoat(faults: [fault])
            let jaw = try SimFixture.drive(eoat, role: .jaw)
            SimFixture.run(eoat, ms: 1)
            #expect(throws: HALError.self, "\(fault)") { try jaw.readState(deadline: SimFixture.deadline(eoat)) }
            #expect(try jaw.readState(deadline: SimFixture.deadline(eoat)) == .switchOnDisabled, "a burst of 1 ends by itself")
        }
    }

    @Test("drive-fault: the drive latches the code; a fault reset clears it")
    func driveFault() throws {
        let eoat = try SimFixture.eoat(faults: ["drive-fault plank 0x7500"])
        let plank = try SimFixture.drive(eoat, role: .plank)
        SimFixture.run(eoat, ms: 1)
        #expect(try plank.readState(deadline: SimFixture.deadline(eoat)) == .fault)
        #expect(try plank.readErrorCode(deadline: SimFixture.deadline(eoat)).code == 0x7500)
        #expect(try plank.faultReset(deadline: SimFixture.deadline(eoat)) == .switchOnDisabled)
    }

    @Test("drive-stall: the motor cannot follow; the following error faults it with 0x8611")
    func driveStall() throws {
        let eoat = try SimFixture.eoat(faults: ["drive-stall plank"])
        let plank = try SimFixture.drive(eoat, role: .plank)
        try eoat.output(named: "eoat.drive-enable")!.write(true)
        try plank.enable(deadline: SimFixture.deadline(eoat))
        _ = try plank.exchange(DriveSetpoint(controlword: 0x1F, mode: .profilePosition, targetPositionMM: 200), deadline: SimFixture.deadline(eoat))
        SimFixture.run(eoat, ms: 1_000)
        #expect(try plank.readState(deadline: SimFixture.deadline(eoat)) == .fault)
        #expect(try plank.readErrorCode(deadline: SimFixture.deadline(eoat)).code == 0x8611)
    }

    @Test("drive-frozen: feedback stops changing while the axis keeps moving")
    func frozenFeedback() throws {
        let eoat = try SimFixture.eoat(faults: ["drive-frozen plank at 200ms"])
        let plank = try SimFixture.drive(eoat, role: .plank)
        try eoat.output(named: "eoat.drive-enable")!.write(true)
        try plank.enable(deadline: SimFixture.deadline(eoat))
        _ = try plank.exchange(DriveSetpoint(controlword: 0x1F, mode: .profilePosition, targetPositionMM: 300), deadline: SimFixture.deadline(eoat))
        SimFixture.run(eoat, ms: 300)
        let first = try plank.readFeedback(deadline: SimFixture.deadline(eoat))
        SimFixture.run(eoat, ms: 300)
        let second = try plank.readFeedback(deadline: SimFixture.deadline(eoat))
        #expect(first == second)
        #expect(eoat.world.drives.plank.positionMM > first.positionMM + 10)
    }

    @Test("input-stuck holds a line; input-bounce makes it chatter; both end")
    func inputFaults() throws {
        let eoat = try SimFixture.eoat(faults: ["input-stuck eoat.plank.home false for 50ms", "input-bounce eoat.jaw.open for 50ms"])
        let home = try #require(eoat.input(named: "eoat.plank.home"))
        let jawOpen = try #require(eoat.input(named: "eoat.jaw.open"))
        SimFixture.run(eoat, ms: 1)
        #expect(try !home.read())
        var readings = Set<Bool>()
        for _ in 0..<40 { readings.insert(try jawOpen.read()) }
        #expect(readings == [true, false])
        SimFixture.run(eoat, ms: 60)
        #expect(try home.read())
        #expect(try jawOpen.read())
    }

    @Test("estop: the chain input asserts and torque is cut (powered drives fault with 0x5441)")
    func estop() throws {
        let eoat = try SimFixture.eoat(faults: ["estop at 100ms for 100ms"])
        let jaw = try SimFixture.drive(eoat, role: .jaw)
        try eoat.output(named: "eoat.drive-enable")!.write(true)
        try jaw.enable(deadline: SimFixture.deadline(eoat))
        SimFixture.run(eoat, ms: 101)
        #expect(try eoat.input(named: "eoat.estop")!.read())
        #expect(try jaw.readErrorCode(deadline: SimFixture.deadline(eoat)).code == 0x5441)
        SimFixture.run(eoat, ms: 100)
        #expect(try !eoat.input(named: "eoat.estop")!.read())
    }

    @Test("estop in a phase starts when the controller enters that phase")
    func estopInPhase() throws {
        let eoat = try SimFixture.eoat(faults: ["estop in make_space"])
        SimFixture.run(eoat, ms: 10)
        #expect(try !eoat.input(named: "eoat.estop")!.read())
        eoat.faults.phaseDidChange(to: .makeSpace)
        #expect(try eoat.input(named: "eoat.estop")!.read())
    }

    @Test("camera-drop, camera-freeze and camera-stale show in frame sequence and timestamps")
    func cameraFaults() throws {
        let eoat = try SimFixture.eoat()
        let first = try #require(try eoat.camera.latestFrame())
        SimFixture.run(eoat, ms: 100)
        let second = try #require(try eoat.camera.latestFrame())
        #expect(second.sequence == first.sequence + 1)

        try eoat.faults.schedule(SimFaultSpec.parse("camera-drop for 300ms"))
        SimFixture.run(eoat, ms: 200)
        #expect(try eoat.camera.latestFrame()?.sequence == second.sequence, "no new frames while dropped")
        SimFixture.run(eoat, ms: 200)
        #expect(try eoat.camera.latestFrame()!.sequence > second.sequence)

        try eoat.faults.schedule(SimFaultSpec.parse("camera-stale 400ms"))
        SimFixture.run(eoat, ms: 500)
        let stale = try #require(try eoat.camera.latestFrame())
        #expect(eoat.clock.now().nanoseconds - stale.timestamp.nanoseconds >= 400_000_000)
        eoat.faults.clear(kindName: "camera-stale")

        try eoat.faults.schedule(SimFaultSpec.parse("camera-freeze"))
        let frozen = try #require(try eoat.camera.latestFrame())
        SimFixture.run(eoat, ms: 500)
        #expect(try eoat.camera.latestFrame()?.sequence == frozen.sequence)
    }

    @Test("slow-tick hands extra virtual time to the next control tick, once")
    func slowTick() throws {
        let eoat = try SimFixture.eoat(faults: ["slow-tick 5ms"])
        SimFixture.run(eoat, ms: 1)
        #expect(eoat.faults.takeSlowTickNanoseconds() == 5_000_000)
        #expect(eoat.faults.takeSlowTickNanoseconds() == 0)
    }

    @Test("fault lines that do not parse say what was expected")
    func syntax() {
        #expect(throws: SimFaultSyntaxError.self) { try SimFaultSpec.parse("drive-fault gripper 0x7500") }
        #expect(throws: SimFaultSyntaxError.self) { try SimFaultSpec.parse("estop at soon") }
        #expect(throws: SimFaultSyntaxError.self) { try SimFaultSpec.parse("input-stuck eoat.nothing true") }
        #expect(throws: SimFaultSyntaxError.self) { try SimFaultSpec.parse("melt") }
        #expect(throws: (any Error).self) { try SimFixture.eoat(faults: ["serial-crc bus7 burst 1"]) }
    }
}
