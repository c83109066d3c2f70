import ArgumentParser

/// `stowctl`: the one command for the stow end-effector controller.
@main
struct Stowctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stowctl",
        abstract: "Controller for the end-of-arm tool of a warehouse stow robot.",
        discussion: """
            The end-of-arm tool (EOAT) opens the elastic bands across a fabric pod bin, makes room \
            with an extendable plank, and drives the item in with conveyor belts in its jaws. \
            stowctl runs it on real hardware or on the simulator (SimHAL), checks and explains the \
            robot's configuration (firmware-config/*.yaml), and gives bench tools for GPIO lines, \
            serial ports and CiA 402 drives.

            Every subcommand exits 0 on success and non-zero with a message naming the file, \
            device or command on failure. Use `stowctl help SUBCOMMAND` for the manual of one.
            """,
        version: StowctlVersion.string,
        subcommands: [
            CheckConfig.self,
            ExplainConfig.self,
            Sim.self,
            GPIOCommand.self, SerialCommand.self,
            DriveCommand.self, BenchCommand.self, SimDriveCommand.self,
            LatencyTestCommand.self,
            PerceiveCommand.self,
            JournalCommand.self, ConsoleSubcommand.self,
            RunCommand.self, DoctorCommand.self, CellCommand.self,
            FaultMatrixCommand.self, RecordFramesCommand.self,
        ]
    )
}
