import Foundation
import Testing

/// `stowctl check-config` and `explain-config`, run as the built binary.
struct ConfigCommandTests {
    @Test func checkConfigAcceptsBothShippedConfigs() throws {
        let result = try StowctlProcess.run(["check-config", "firmware-config/sim.yaml", "firmware-config/eoat-linux.yaml"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("firmware-config/sim.yaml: ok"))
        #expect(result.stdout.contains("firmware-config/eoat-linux.yaml: ok"))
        #expect(result.stderr.isEmpty)
    }

    @Test func checkConfigRejectsAMisspelledKeyNamingItsLine() throws {
        let file = try temporaryCopy(of: "firmware-config/eoat-linux.yaml", replacing: "    baud: 460800\n", with: "    baud: 460800\n    parrity: even\n")
        defer { removeTemporaryCopy(file) }
        let line = try lineNumber(of: "    parrity: even", in: file)
        let result = try StowctlProcess.run(["check-config", file])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("\(file):\(line):5: error: buses.bus0.parrity: unknown key (did you mean 'parity'?)"))
        #expect(result.stderr.contains("1 error; nothing was started"))
        #expect(result.stdout.isEmpty)
    }

    @Test func checkConfigReportsEveryErrorAtOnce() throws {
        let first = try temporaryCopy(of: "firmware-config/sim.yaml", replacing: "    unit: 3\n", with: "    unit: 2\n")
        defer { removeTemporaryCopy(first) }
        let file = try temporaryCopy(of: first, replacing: "  name: eoat-sim", with: "  name: off")
        defer { removeTemporaryCopy(file) }
        let result = try StowctlProcess.run(["check-config", file])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("robot.name: 'off' is a YAML boolean"))
        #expect(result.stderr.contains("drives.right-belt.unit: unit id 2 on bus0 is already used"))
        #expect(result.stderr.contains("2 errors; nothing was started"))
    }

    @Test func checkConfigOnAMissingFileSaysSo() throws {
        let result = try StowctlProcess.run(["check-config", "no/such/robot.yaml"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("no/such/robot.yaml:0:0: error: no such file"))
    }

    @Test func explainConfigListsEverySignalBusAndDrive() throws {
        let result = try StowctlProcess.run(["explain-config", "firmware-config/eoat-linux.yaml"])
        #expect(result.exitCode == 0)
        for signal in ["eoat.estop", "eoat.item.in-jaw", "eoat.drive-enable", "arm.in-position", "eoat.done"] {
            #expect(result.stdout.contains(signal))
        }
        #expect(result.stdout.contains("bus bus0: USB serial FT6RS485A, 460800 baud, 8E1"))
        #expect(result.stdout.contains("drive plank (bus0.drive.plank): unit 4, profile cia402-direct"))
        #expect(result.stdout.contains("statusword=0x6041"))
        #expect(result.stdout.contains("control: 1000 Hz"))
    }

    @Test func explainConfigOfAnInvalidFileFails() throws {
        let file = try temporaryCopy(of: "firmware-config/sim.yaml", replacing: "poll_hz: 12", with: "poll_hz: 500")
        defer { removeTemporaryCopy(file) }
        let result = try StowctlProcess.run(["explain-config", file])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("buses.bus0.poll_hz: 500 Hz is faster than 460800 baud allows"))
        #expect(result.stdout.isEmpty)
    }

    private func temporaryCopy(of path: String, replacing target: String, with replacement: String) throws -> String {
        let source = path.hasPrefix("/") ? URL(fileURLWithPath: path) : StowctlProcess.repositoryRoot.appendingPathComponent(path)
        let text = try String(contentsOf: source, encoding: .utf8)
        #expect(text.contains(target), "test setup: '\(target)' not in \(path)")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("stowctl-test-\(UUID().uuidString).yaml")
        try text.replacingOccurrences(of: target, with: replacement).write(to: copy, atomically: true, encoding: .utf8)
        return copy.path
    }

    private func removeTemporaryCopy(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    private func lineNumber(of text: String, in path: String) throws -> Int {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0 == text } ?? -1) + 1
    }
}
