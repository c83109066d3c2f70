import Config
import Control
import HAL
import Testing

/// `ControlledStop`: how `stowctl run` stops the EOAT on SIGTERM (safe stop 1: brake with torque,
/// then remove it), on SimHAL's drives in virtual time.
@Suite("Controlled stop")
struct ControlledStopTests {
    /// Runs the left belt at a steady speed, everything else held: something to stop.
    final class BeltRunning: ControlApplication {
        func step(
            now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool,
            outputs: inout EOATOutputs, setpoints: inout PerDrive<DriveSetpoint>
        ) {
            HoldApplication().step(now: now, inputs: inputs, drives: drives, safeStopped: safeStopped,
                                   outputs: &outputs, setpoints: &setpoints)
            setpoints.leftBelt.mode = .profileVelocity
            setpoints.leftBelt.targetVelocityMMPerS = 300
        }
    }

    private func rig(timeoutNanoseconds: UInt64 = 1_000_000_000) throws -> (SimControllerRig, ControlledStop) {
        var stop: ControlledStop?
        let config = try RobotConfig.load(path: SimControllerRig.repositoryRoot + "/firmware-config/sim.yaml")
        stop = ControlledStop(wrapping: BeltRunning(), safeValues: SafetySupervisor.Limits(config: config).safeValues,
                              quickStopTimeoutNanoseconds: timeoutNanoseconds)
        return (try SimControllerRig(application: stop!), stop!)
    }

    @Test("until a stop is requested it is transparent: the wrapped application drives the EOAT")
    func transparentUntilRequested() throws {
        let (rig, stop) = try rig()
        rig.run(ms: 2_000)
        #expect(stop.phase == .running)
        #expect(rig.eoat.world.outputs.driveEnable)
        #expect(rig.eoat.world.drives.leftBelt.velocityMMPerS > 250)
    }

    @Test("a stop brakes the moving belt with STO still on, then disables every drive and drops STO, without a drive fault")
    func brakesThenDisables() throws {
        let (rig, stop) = try rig()
        rig.run(ms: 2_000)
        stop.requestStop()
        rig.run(ms: 100)
        #expect(stop.phase == .quickStop)
        #expect(rig.eoat.world.outputs.driveEnable, "torque kept while braking")
        #expect(!rig.eoat.world.outputs.ready, "the arm may not move the tool")
        #expect(rig.eoat.world.outputs.towerLightRed)

        rig.run(ms: 1_000)
        #expect(stop.isStopped)
        let safe = rig.controller.controlLoop.supervisor.limits.safeValues
        #expect(rig.eoat.world.outputs == safe, "every output at its safe value, STO off")
        for drive in rig.eoat.world.drives.all {
            #expect(drive.state == .switchOnDisabled, "no STO fault: it had stopped before STO dropped")
            #expect(abs(drive.velocityMMPerS) < 0.01)
        }
        #expect(rig.faults.isEmpty)
    }

    @Test("drives that do not report powered off within the timeout lose STO anyway")
    func timeoutBoundsTheWait() throws {
        let (rig, stop) = try rig(timeoutNanoseconds: 0)
        rig.run(ms: 2_000)
        stop.requestStop()
        rig.run(ms: 2)
        #expect(stop.isStopped)
        #expect(!rig.eoat.world.outputs.driveEnable)
    }
}
