import Config
import Control
import HAL
import SimHAL
import Testing
@testable import Simulation

@Suite("Simulated robot")
struct SimulatedRobotTests {
    static var repositoryRoot: String {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }

    @Test("the controller comes up on SimHAL without faults and waits for an item")
    func startsClean() throws {
        let config = try RobotConfig.load(path: Self.repositoryRoot + "/firmware-config/sim.yaml")
        let robot = try SimulatedRobot(config: config, campaignID: "test")
        robot.executor.run(forNanoseconds: 300_000_000)
        #expect(robot.controller.controlLoop.supervisor.faults.isEmpty)
        #expect(robot.machine.state != .idle)
    }

    @Test("the stow cycle configures every drive with stow.speeds_mm_s and its acceleration limit as it enables it")
    func drivesRunAtTheConfiguredSpeeds() throws {
        let config = try RobotConfig.load(path: Self.repositoryRoot + "/firmware-config/sim.yaml")
        let robot = try SimulatedRobot(config: config, campaignID: "test")
        robot.executor.run(forNanoseconds: 1_000_000_000)
        let drives = robot.eoat.world.drives
        let speeds = config.stow
        for (drive, role, speedMMPerS) in [(drives.jaw, DriveRole.jaw, speeds.jawSpeedMMPerS), (drives.plank, .plank, speeds.plankSpeedMMPerS),
                                          (drives.leftBelt, .leftBelt, speeds.beltSpeedMMPerS),
                                          (drives.rightBelt, .rightBelt, speeds.beltSpeedMMPerS)] {
            let countsPerMM = config.drive(role)!.countsPerMM
            let accelerationMMPerS2 = config.drive(role)!.limits.maxAccelerationMMPerS2
            #expect(drive.read(.profileVelocity) == Int64((speedMMPerS * countsPerMM).rounded()), "\(role) 0x6081")
            #expect(drive.read(.profileAcceleration) == Int64((accelerationMMPerS2 * countsPerMM).rounded()), "\(role) 0x6083")
            #expect(drive.read(.profileDeceleration) == Int64((accelerationMMPerS2 * countsPerMM).rounded()), "\(role) 0x6084")
        }
    }

    @Test("perception verifies only the bin of the attempt in progress: each attempt ends its bin's verification")
    func verificationEndsWithTheAttempt() throws {
        let config = try RobotConfig.load(path: Self.repositoryRoot + "/firmware-config/sim.yaml")
        let robot = try SimulatedRobot(config: config, campaignID: "test")
        var verifiedAtRecord: [Int] = []
        let options = CampaignRunner.Options(stows: 6, onTransition: { transition in
            guard transition.to == .record, let observation = robot.perceptionLoop.output.latest() else { return }
            verifiedAtRecord.append(observation.bins.filter { $0.verification != nil }.count)
        })
        _ = try CampaignRunner(robot: robot, configFile: "sim.yaml", options: options).run()
        #expect(verifiedAtRecord.count >= 6)
        #expect(verifiedAtRecord.allSatisfy { $0 <= 1 }, "bins verified when each attempt was recorded: \(verifiedAtRecord)")
        #expect(verifiedAtRecord.contains(1))
    }

    @Test("after a safety stop is reset, the next attempt starts only once the jaw drive is enabled and holds the jaws open")
    func attemptAfterResetStartsWithTheJawEnabled() throws {
        let config = try RobotConfig.load(path: Self.repositoryRoot + "/firmware-config/sim.yaml")
        let robot = try SimulatedRobot(config: config, campaignID: "test")
        var jawAtSelectBin: [CiA402State] = []
        let jaw = robot.eoat.world.drives.jaw  // not the robot: the machine keeps this closure
        let previous = robot.machine.onTransition
        robot.machine.onTransition = { transition in
            previous?(transition)
            if transition.to == .selectBin { jawAtSelectBin.append(jaw.state) }
        }
        // Runs in 1 ms steps, journaling each finished attempt as a campaign does, until `done` or 30 s.
        func run(until done: () -> Bool) -> Bool {
            for _ in 0..<30_000 {
                robot.executor.run(forNanoseconds: 1_000_000)
                if let record = robot.machine.finishedAttempt.read() { robot.machine.acknowledgeRecorded(through: record.attemptIndex) }
                if done() { return true }
            }
            return false
        }

        #expect(run { robot.machine.state == .grasp })
        // The e-stop removes torque: the jaw drive faults (STO) and needs its walk back to operation enabled.
        try robot.eoat.faults.schedule(SimFaultSpec.parse("estop for 300ms"))
        #expect(run { robot.machine.state == .safeStop })
        robot.executor.run(forNanoseconds: 400_000_000)
        robot.resetFaults()
        #expect(run { robot.machine.attemptsStarted == 2 && robot.machine.state == .approach })
        #expect(jawAtSelectBin.count == 2)
        #expect(jawAtSelectBin.allSatisfy { $0 == .operationEnabled }, "jaw drive on entering select_bin: \(jawAtSelectBin)")
        robot.executor.finish()
    }

    @Test("after a safety stop in grasp and the reset, the jaw does not close on its own: the aborted grasp is not resumed")
    func resetDoesNotResumeTheAbortedGrasp() throws {
        let config = try RobotConfig.load(path: Self.repositoryRoot + "/firmware-config/sim.yaml")
        let robot = try SimulatedRobot(config: config, campaignID: "test")
        let jaw = robot.eoat.world.drives.jaw
        func step() {
            robot.executor.run(forNanoseconds: 1_000_000)
            if let record = robot.machine.finishedAttempt.read() { robot.machine.acknowledgeRecorded(through: record.attemptIndex) }
        }
        func run(until done: () -> Bool) -> Bool {
            for _ in 0..<30_000 {
                step()
                if done() { return true }
            }
            return false
        }

        // Stopped 100 ms into the grasp: the jaw is closing on the item.
        #expect(run { robot.machine.state == .grasp })
        robot.executor.run(forNanoseconds: 100_000_000)
        try robot.eoat.faults.schedule(SimFaultSpec.parse("estop for 300ms"))
        #expect(run { robot.machine.state == .safeStop })
        robot.executor.run(forNanoseconds: 400_000_000)
        // The arm reports no position for a while after the reset, so the cycle does not yet
        // command the jaws open: whatever the jaw does meanwhile is left over from before.
        try robot.eoat.faults.schedule(SimFaultSpec.parse("input-stuck arm.in-position false for 2000ms"))
        robot.resetFaults()
        // Until the cycle grasps again, the jaw may open or stand, never close.
        var fastestClosingMMPerS = 0.0
        let grasping = run {
            fastestClosingMMPerS = min(fastestClosingMMPerS, jaw.velocityMMPerS)
            return robot.machine.attemptsStarted == 2 && robot.machine.state == .grasp
        }
        #expect(grasping)
        #expect(fastestClosingMMPerS > -0.5, "the jaw closed at \(-fastestClosingMMPerS) mm/s between the reset and the next grasp")
        robot.executor.finish()
    }

    @Test("a simulated robot is freed when its owner lets go: no reference cycle keeps the controller alive")
    func freedWhenReleased() throws {
        let config = try RobotConfig.load(path: Self.repositoryRoot + "/firmware-config/sim.yaml")
        weak var released: SimulatedRobot?
        weak var controlLoop: ControlLoop?
        do {
            let robot = try SimulatedRobot(config: config, campaignID: "test")
            robot.executor.run(forNanoseconds: 50_000_000)
            robot.executor.finish()
            released = robot
            controlLoop = robot.controller.controlLoop
        }
        #expect(released == nil)
        #expect(controlLoop == nil)
    }
}
