import Config
import Control
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
}
