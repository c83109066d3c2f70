import ArgumentParser
import Config
import Foundation

/// `stowctl sim`: a simulated stow campaign on SimHAL.
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run a simulated stow campaign on SimHAL with the production control code.",
        discussion: """
            Loads the config (default firmware-config/sim.yaml), which must have backend: sim, \
            builds the simulated robot and runs what the controller can do today.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Robot config; must use backend: sim.")
    var config: String = "firmware-config/sim.yaml"

    func run() throws {
        try global.bootstrapLogging()
        let robot: RobotConfig
        do {
            robot = try RobotConfig.load(path: config)
        } catch let error as ConfigError {
            printToStderr(error.description)
            throw ExitCode(1)
        }
        guard robot.backend == .sim, let sim = robot.sim else {
            printToStderr("\(config): robot.backend is \(robot.backend.rawValue); stowctl sim needs a config with backend: sim "
                + "(try firmware-config/sim.yaml)")
            throw ExitCode(1)
        }
        print("loaded \(config): robot \(robot.name), \(robot.gpio.inputs.count) inputs, \(robot.gpio.outputs.count) outputs, "
            + "\(robot.drives.count) drives, pod \(sim.pod.rows)x\(sim.pod.columns), seed \(sim.seed)")
        print("the stow campaign is not built yet (SimHAL and the stow state machine are issues 4 and 7): "
            + "config validated, nothing simulated")
    }
}
