import Foundation
import Testing

/// `stowctl sim-drive` refusals: each names what is wrong and exits non-zero before serving.
struct SimDriveCommandLineTests {
    func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "sim-drive-cli-\(getpid())-\(name)"
    }

    @Test("A LINK that exists and is not a stale pty link is refused and left alone")
    func existingLinkIsRefused() throws {
        let path = temporaryPath("file")
        try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try StowctlProcess.run(["sim-drive", "--pty", path, "--unit", "1"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("\(path) already exists and is not a stale link to a closed pty"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test("A stale link to a closed pty is replaced, then removed on exit")
    func staleLinkIsReplaced() throws {
        let path = temporaryPath("stale")
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/pts/99999")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // stdin is /dev/null: the command serves, sees end of stdin at once, and exits 0.
        let process = Process()
        process.executableURL = StowctlProcess.binary
        process.arguments = ["sim-drive", "--pty", path, "--unit", "1"]
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(stdout.hasPrefix("READY /dev/pts/"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil)
    }

    @Test("A unit id outside 1...247 is refused")
    func badUnitIsRefused() throws {
        let result = try StowctlProcess.run(["sim-drive", "--pty", temporaryPath("unit"), "--unit", "0"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("--unit: 0 is outside 1...247"))
    }

    @Test("An unknown role is refused, naming the roles")
    func badRoleIsRefused() throws {
        let result = try StowctlProcess.run(["sim-drive", "--pty", temporaryPath("role"), "--unit", "1", "--role", "gripper"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("--role: 'gripper' is not one of jaw, left-belt, right-belt, plank"))
    }
}
