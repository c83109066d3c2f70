import ArgumentParser
import Config

/// Loads the robot config of a command that runs the simulated robot (`sim`, `console`,
/// `fault-matrix`, `bench campaign`). A config error, or a config whose backend is not `sim`, is
/// printed naming the file and what to use instead, and the command exits 1.
func loadSimRobotConfig(path: String, command: String) throws -> RobotConfig {
    let robotConfig: RobotConfig
    do {
        robotConfig = try RobotConfig.load(path: path)
    } catch let error as ConfigError {
        printToStderr(error.description)
        throw ExitCode(1)
    }
    guard robotConfig.backend == .sim, robotConfig.sim != nil else {
        printToStderr("\(path): robot.backend is \(robotConfig.backend.rawValue); \(command) runs the simulated robot "
            + "and needs a config with backend: sim (try firmware-config/sim.yaml)")
        throw ExitCode(1)
    }
    return robotConfig
}
