import AllocationCounter
import Config
import Console
import Control
import HAL
import Simulation
import Testing

/// The console gate: how the controller on hardware answers the console from inside its control
/// tick (the only thread that may touch the supervisor and the stow cycle), here on the
/// simulated robot in virtual time.
@Suite("Console gate")
struct ConsoleGateTests {
    final class Rig {
        let robot: SimulatedRobot
        let queue = ConsoleRequestQueue(capacity: 4)
        let gate: ConsoleGate

        init() throws {
            let config = try MaintenanceOverrideTests.config()
            var built: ConsoleGate?
            let queue = self.queue
            robot = try SimulatedRobot(config: config, campaignID: "gate") { machine in
                let maintenance = MaintenanceOverride(wrapping: machine, config: config)
                built = ConsoleGate(wrapping: maintenance, queue: queue, maintenance: maintenance)
                return built!
            }
            gate = built!
            gate.requests = ControllerRequests(controller: robot.controller, machine: robot.machine, maintenance: gate.maintenance)
        }

        func run(ms: UInt64) { robot.executor.run(forNanoseconds: ms * 1_000_000) }
        var faults: [SafetyFault] { robot.controller.controlLoop.supervisor.faults }
    }

    @Test("a request is answered by the next control tick, not by the console's thread")
    func answeredInTheTick() throws {
        let rig = try Rig()
        rig.run(ms: 50)
        let ticket = try #require(rig.queue.post(.estop))
        #expect(ticket.wait(timeoutSeconds: 0) == nil, "nothing ran the control loop yet")
        #expect(rig.faults.isEmpty)
        rig.run(ms: 1)
        guard case let .done(text)? = ticket.wait(timeoutSeconds: 0) else {
            Issue.record("the operator stop was not answered by the tick")
            return
        }
        #expect(text.contains("operator stop latched"))
        #expect(rig.faults.contains { $0.kind == .operatorStop })
    }

    @Test("reset faults after the operator stop clears it and the stow cycle runs again")
    func resetAfterStop() throws {
        let rig = try Rig()
        rig.run(ms: 50)
        _ = rig.queue.post(.estop)
        rig.run(ms: 10)
        let reset = try #require(rig.queue.post(.resetFaults))
        rig.run(ms: 1_000)
        guard case .done? = reset.wait(timeoutSeconds: 0) else {
            Issue.record("reset faults was not answered")
            return
        }
        #expect(rig.faults.isEmpty, "\(rig.faults)")
        #expect(rig.robot.machine.state != .safeStop)
    }

    @Test("a simulator-only request is refused, naming the simulator")
    func simulatorRequestsRefused() throws {
        let rig = try Rig()
        let ticket = try #require(rig.queue.post(.simFault(line: "estop for 300ms")))
        rig.run(ms: 1)
        guard case let .refused(text)? = ticket.wait(timeoutSeconds: 0) else {
            Issue.record("a sim fault request was not refused")
            return
        }
        #expect(text.contains("simulator"))
    }

    @Test("maintenance status is published for other threads after a request")
    func maintenanceStatusPublished() throws {
        let rig = try Rig()
        rig.run(ms: 20)
        #expect(rig.gate.maintenanceStatus.read().armed == false)
        _ = rig.queue.post(.armMaintenance)
        rig.run(ms: 1)
        // Arming is refused while a stow runs or faults are latched; either way an answer was
        // given and the status published with it reflects the override.
        #expect(rig.gate.maintenanceStatus.read().armed == rig.gate.maintenance.isArmed)
    }

    @Test("with nothing queued, 10,000 steps through the gate make no heap allocation")
    func noAllocationWhenIdle() throws {
        let rig = try Rig()
        let hold = HoldApplication()
        let maintenance = MaintenanceOverride(wrapping: hold, config: rig.robot.config)
        let gate = ConsoleGate(wrapping: maintenance, queue: ConsoleRequestQueue(), maintenance: maintenance)
        gate.requests = ControllerRequests(controller: rig.robot.controller, machine: rig.robot.machine, maintenance: maintenance)
        var outputs = EOATOutputs()
        var setpoints = PerDrive<DriveSetpoint>(all: .disabled)
        var now = MonotonicInstant(nanoseconds: 1_000_000_000)
        func step() {
            now = now.adding(nanoseconds: 1_000_000)
            gate.step(now: now, inputs: EOATInputs(), drives: PerDrive(all: nil), safeStopped: false,
                      outputs: &outputs, setpoints: &setpoints)
        }
        for _ in 0..<100 { step() }
        allocation_counter_start()
        for _ in 0..<10_000 { step() }
        let allocations = allocation_counter_stop()
        if allocation_counter_available() != 0 {
            #expect(allocations == 0)
        }
    }
}
