import Foundation
import Testing

/// `stowctl doctor`: every check says what it found, and every failure or warning its fix.
struct DoctorCommandTests {
    private func checks(_ arguments: [String]) throws -> (exitCode: Int32, ready: Bool, checks: [[String: String]]) {
        let result = try StowctlProcess.run(["doctor", "--json"] + arguments)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let checks = (object["checks"] as? [[String: Any]] ?? []).map { $0.compactMapValues { $0 as? String } }
        return (result.exitCode, object["ready"] as? Bool ?? false, checks)
    }

    @Test("JSON: one object per check with area, name, status, found and fix; ready exactly when nothing failed")
    func jsonShape() throws {
        let doctor = try checks(["--config", "firmware-config/sim.yaml"])
        #expect(!doctor.checks.isEmpty)
        for check in doctor.checks {
            #expect(Set(check.keys) == ["area", "name", "status", "found", "fix"], "\(check)")
            #expect(["ok", "warn", "fail", "skip"].contains(check["status"] ?? ""), "\(check)")
            if check["status"] == "fail" || check["status"] == "warn" { #expect(check["fix"]?.isEmpty == false, "\(check)") }
        }
        let anyFailed = doctor.checks.contains { $0["status"] == "fail" }
        #expect(doctor.ready == !anyFailed)
        #expect(doctor.exitCode == (anyFailed ? 1 : 0))
        for name in ["preemption", "SCHED_FIFO", "memory locking", "clock source"] {
            #expect(doctor.checks.contains { $0["name"] == name }, "\(name) is checked")
        }
        #expect(doctor.checks.first { $0["area"] == "device" }?["status"] == "skip", "a sim config has no devices")
    }

    @Test("a hardware config whose GPIO chip and RS-485 adapter are absent fails, naming each with its fix")
    func missingDevicesFail() throws {
        let doctor = try checks(["--config", "firmware-config/eoat-linux.yaml"])
        #expect(doctor.exitCode == 1)
        #expect(!doctor.ready)
        let chip = try #require(doctor.checks.first { $0["name"] == "gpio chip label eoat-io" })
        #expect(chip["status"] == "fail")
        let bus = try #require(doctor.checks.first { $0["name"] == "bus0 port USB serial FT6RS485A" })
        #expect(bus["status"] == "fail")
        #expect(bus["fix"]?.contains("stowctl serial list") == true)
        let cell = try #require(doctor.checks.first { $0["name"] == "cell link /dev/ttyS1" }, "the cell link is checked")
        #expect(cell["status"] == "fail", "no cell controller answers on this machine")
        #expect(cell["fix"]?.isEmpty == false)
    }

    @Test("an invalid config fails the config check and points at check-config")
    func invalidConfig() throws {
        let doctor = try checks(["--config", "Tests/ConfigTests/Corpus/does-not-exist.yaml"])
        #expect(doctor.exitCode == 1)
        let config = try #require(doctor.checks.first { $0["area"] == "config" })
        #expect(config["status"] == "fail")
        #expect(config["fix"]?.contains("stowctl check-config") == true)
    }

    @Test("the table: one row per check, fixes under failures, and a verdict")
    func table() throws {
        let result = try StowctlProcess.run(["doctor", "--config", "firmware-config/eoat-linux.yaml"])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("FAIL  device"))
        #expect(result.stdout.contains("      fix: "))
        #expect(result.stdout.contains("NOT ready: "))
    }
}
