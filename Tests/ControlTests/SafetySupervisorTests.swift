import Config
import HAL
import Testing

@testable import Control

/// The safety supervisor runs first in every tick and overrides everything (issue 5).
@Suite("Safety supervisor")
struct SafetySupervisorTests {
    @Test("with nothing wrong, the controller enables every drive and asserts the drive enable")
    func healthy() throws {
        let rig = try SimControllerRig()
        rig.run(ms: 2_000)
        #expect(rig.faults.isEmpty)
        #expect(rig.controller.controlLoop.snapshot.outputs.driveEnable)
        #expect(rig.eoat.world.drives.plank.state == .operationEnabled)
    }

    @Test("e-stop: quick stop to every drive and STO dropped in the same tick; latched until reset")
    func estop() throws {
        let rig = try SimControllerRig(faults: ["estop at 2s for 500ms"])
        rig.run(ms: 1_999)
        #expect(rig.faults.isEmpty)
        rig.run(ms: 1)
        let snapshot = rig.controller.controlLoop.snapshot
        #expect(snapshot.inputs.estop)
        #expect(!snapshot.outputs.driveEnable, "STO in the tick that saw the e-stop")
        #expect(!rig.eoat.world.outputs.driveEnable, "and on the line")
        #expect(rig.faults.map(\.kind).contains(.estop))

        rig.run(ms: 1_000)
        #expect(!rig.eoat.world.estopPressed)
        #expect(!rig.controller.controlLoop.snapshot.outputs.driveEnable, "stays safe after release until a reset")
        rig.controller.controlLoop.supervisor.requestReset(now: rig.eoat.clock.now())
        rig.run(ms: 1_000)
        #expect(rig.faults.isEmpty, "\(rig.faults)")
        #expect(rig.controller.controlLoop.snapshot.outputs.driveEnable, "powered again after the reset")
    }

    @Test("dead-man: a control loop that stalls longer than an output's deadman_ms forces it safe and latches")
    func deadman() throws {
        let rig = try SimControllerRig()
        rig.run(ms: 2_000)
        let loop = rig.controller.controlLoop
        let now = rig.eoat.clock.now()
        loop.tick(now: now)
        loop.tick(now: now.adding(nanoseconds: 50_000_000))  // eoat.drive-enable has deadman_ms: 20
        let fault = try #require(rig.faults.first { $0.kind == .deadman })
        #expect(fault.subject == "eoat.drive-enable")
        #expect(!loop.snapshot.outputs.driveEnable)
    }

    @Test("drive communication watchdog: a silent bus latches a named fault with a hint")
    func commWatchdog() throws {
        let rig = try SimControllerRig(faults: ["serial-timeout bus0 at 2s"])
        rig.run(ms: 2_500)
        let fault = try #require(rig.faults.first { $0.kind == .driveComm })
        #expect(fault.subject.hasPrefix("bus0.drive."))
        #expect(fault.description.contains("check wiring"))
        #expect(!rig.controller.controlLoop.snapshot.outputs.driveEnable)
    }

    @Test("a control loop overrun fault is cleared by reset faults once the loop is back on time")
    func overrunFaultResets() throws {
        let rig = try SimControllerRig()
        rig.run(ms: 2_000)
        rig.controller.control.overrunLatch.latch(LoopOverrunFault(
            loopName: "control", periodNanoseconds: 1_000_000, consecutiveOverruns: 5, lastTickNanoseconds: 3_000_000,
            tickIndex: 2_000))
        rig.run(ms: 10)
        let fault = try #require(rig.faults.first { $0.kind == .loopOverrun })
        #expect(fault.subject == "loop.control")
        #expect(!rig.controller.controlLoop.snapshot.outputs.driveEnable)

        rig.controller.controlLoop.supervisor.requestReset(now: rig.eoat.clock.now())
        rig.run(ms: 1_000)
        #expect(rig.faults.isEmpty, "the latch was cleared with the reset, not latched again: \(rig.faults)")
        #expect(rig.controller.control.overrunFault == nil)
        #expect(rig.controller.controlLoop.snapshot.outputs.driveEnable, "powered again after the reset")
    }

    @Test("a drive that faults is named with its CiA 402 error code")
    func driveFault() throws {
        let rig = try SimControllerRig(faults: ["drive-fault plank 0x7500 at 2s"])
        rig.run(ms: 2_300)
        let fault = try #require(rig.faults.first { $0.kind == .driveFault })
        #expect(fault.subject == "bus0.drive.plank")
        #expect(fault.message.contains("7500"))
    }

}
