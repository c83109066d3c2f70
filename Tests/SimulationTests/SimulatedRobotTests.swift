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
