import Foundation
import Testing

/// `stowctl console` on stdin/stdout: a scripted session from a pipe, and its refusals.
struct ConsoleCommandLineTests {
    /// Runs `stowctl console` with `input` on stdin (a pipe, so no raw mode) and returns stdout.
    func session(_ input: String) throws -> (exitCode: Int32, stdout: String) {
        let process = Process()
        process.executableURL = StowctlProcess.binary
        process.arguments = ["console", "--config", "firmware-config/sim.yaml"]
        process.currentDirectoryURL = StowctlProcess.repositoryRoot
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test("a piped session answers each command with ok or error, and quit ends it with exit 0")
    func pipedSession() throws {
        let result = try session("status\nget eoat.estop --json\nfrobnicate\nquit\n")
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("stow EOAT console: type `help` for commands\r\nstow["))
        #expect(result.stdout.contains("stow state"))
        #expect(result.stdout.contains(#"{"ok":true,"command":"get","data":{"signal":"eoat.estop","value":false}}"#))
        #expect(result.stdout.contains("error: unknown command 'frobnicate'; type `help` for the list"))
        #expect(result.stdout.hasSuffix("bye\r\nok\r\n"))
    }

    @Test("end of stdin ends the session with exit 0")
    func endOfInput() throws {
        let result = try session("status\n")
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("\r\nok\r\n"))
    }

    @Test("a config that is not backend: sim is refused with what to use instead")
    func linuxConfigRefused() throws {
        let result = try StowctlProcess.run(["console", "--config", "firmware-config/eoat-linux.yaml"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("needs a config with backend: sim (try firmware-config/sim.yaml)"))
    }
}
