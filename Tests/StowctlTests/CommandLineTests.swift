import Testing

/// The CLI's shape: version, help, logging options and the simulator entry point.
struct CommandLineTests {
    @Test func versionPrintsTheVersion() throws {
        let result = try StowctlProcess.run(["--version"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func helpListsTheSubcommands() throws {
        let result = try StowctlProcess.run(["--help"])
        #expect(result.exitCode == 0)
        for command in ["check-config", "explain-config", "sim"] {
            #expect(result.stdout.contains(command))
        }
    }

    @Test func anUnknownLogLevelIsRefusedNamingItsSource() throws {
        let fromFlag = try StowctlProcess.run(["check-config", "--log-level", "loud", "firmware-config/sim.yaml"])
        #expect(fromFlag.exitCode != 0)
        #expect(fromFlag.stderr.contains("--log-level: unknown log level 'loud'"))

        let fromEnvironment = try StowctlProcess.run(["check-config", "firmware-config/sim.yaml"],
                                                     environment: ["STOWCTL_LOG_LEVEL": "chatty"])
        #expect(fromEnvironment.exitCode != 0)
        #expect(fromEnvironment.stderr.contains("STOWCTL_LOG_LEVEL: unknown log level 'chatty'"))
    }

    @Test func anUnknownSubcommandFails() throws {
        let result = try StowctlProcess.run(["stow-everything"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("stow-everything"))
    }

    @Test func simRefusesAConfigForRealHardware() throws {
        let result = try StowctlProcess.run(["sim", "--config", "firmware-config/eoat-linux.yaml"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("robot.backend is linux; stowctl sim runs the simulated robot and needs a config with backend: sim"))
    }
}

import Foundation
