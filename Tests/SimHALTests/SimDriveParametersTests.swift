import Config
import Testing
@testable import SimHAL

/// Simulated drives come from the robot config; the built-in ones are the shipped sim.yaml's.
@Suite("SimHAL drive parameters")
struct SimDriveParametersTests {
    static var simYAML: String {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/firmware-config/sim.yaml"
    }

    @Test("the built-in drives (sim-drive --role, worlds built without a config) are firmware-config/sim.yaml's drives")
    func builtInDrivesAreSimYAMLs() throws {
        let config = try RobotConfig.load(path: Self.simYAML)
        let standard = SimDriveSet.standard()
        for drive in config.drives {
            #expect(SimDriveParameters.defaults(for: drive.role) == SimDriveParameters(config: drive), "\(drive.role)")
            #expect(standard.drive(drive.role).parameters == SimDriveParameters(config: drive), "\(drive.role)")
        }
    }

    @Test("a configured drive takes scaling and limits from its config and the role's mechanics")
    func configuredDrive() throws {
        let config = try RobotConfig.load(path: Self.simYAML)
        let plank = SimDriveParameters(config: config.drive(.plank)!)
        #expect(plank.countsPerMM == 200 && plank.maxCurrentMA == 1600 && plank.maxSpeedMMPerS == 400 && plank.travelMM == 0...320)
        #expect(plank.forceConstantNPerA == SimDriveMechanics.defaults(for: .plank).forceConstantNPerA)
    }
}
