import Foundation
import Synchronization
import Testing

/// `stowctl run`, the service, through the built binary: what systemd sees of it.
struct RunCommandTests {
    /// A running `stowctl run` whose stderr is collected as it comes.
    final class Service: @unchecked Sendable {
        let process = Process()
        private let input = Pipe()
        private let errors = Pipe()
        private let collected = Mutex("")

        init(_ arguments: [String]) throws {
            process.executableURL = StowctlProcess.binary
            process.arguments = arguments
            process.currentDirectoryURL = StowctlProcess.repositoryRoot
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "STOWCTL_LOG_LEVEL")
            environment.removeValue(forKey: "JOURNAL_STREAM")
            process.environment = environment
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
                self?.append(handle.availableData)
            }
            try process.run()
        }

        var stderr: String { collected.withLock { $0 } }

        private func append(_ data: Data) {
            collected.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }

        /// Waits for `text` on stderr; false if the process ended or `limitSeconds` passed first
        /// (a generous bound for a slow machine, not a timing claim).
        func waitFor(_ text: String, limitSeconds: Double = 120) -> Bool {
            let end = Date().addingTimeInterval(limitSeconds)
            while Date() < end {
                if stderr.contains(text) { return true }
                if !process.isRunning { return stderr.contains(text) }
                usleep(20_000)
            }
            return false
        }

        func type(_ line: String) {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
        }

        /// Waits for the exit; kills it (and returns nil) if it has not exited within the bound.
        func waitForExit(limitSeconds: Double = 60) -> Int32? {
            let end = Date().addingTimeInterval(limitSeconds)
            while process.isRunning && Date() < end { usleep(20_000) }
            guard !process.isRunning else {
                process.interrupt()
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            usleep(100_000)  // the last stderr bytes
            return process.terminationStatus
        }
    }

    @Test("SIGTERM during a simulated stow: exit 0, every output at its safe value, drives disabled, a consistent journal")
    func sigtermMidStowLeavesSafeOutputsAndConsistentJournal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("journal.sqlite").path

        let service = try Service(["run", "--config", "firmware-config/sim.yaml", "--journal", db, "--campaign", "sigterm"])
        #expect(service.waitFor("HELD: drives disabled until an operator"), "\(service.stderr)")
        // Held: the first tick finds the operator stop latched, and the cycle waits in safe_stop.
        #expect(service.waitFor("stow: await_item -fault-> safe_stop"), "\(service.stderr)")
        service.type("reset faults")  // at the console, here on stdin
        // Mid-stow: the item is between the jaws and the arm is taking it to the bin.
        let midStow = service.waitFor("-gripped-> approach")
        #expect(midStow, "the stow never got going: \(service.stderr)")
        let log = service.stderr
        let reset = try #require(log.range(of: "stow: safe_stop -reset-> record"))
        let firstItem = try #require(log.range(of: "-item-ready-> select_bin"))
        #expect(reset.upperBound < firstItem.lowerBound, "no stow before the operator's reset")

        kill(service.process.processIdentifier, SIGTERM)
        let status = service.waitForExit()
        let stderr = service.stderr
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("stopped: SIGTERM: controlled stop completed; outputs all at their safe values"), "\(stderr)")
        let outputs = stderr.split(separator: "\n").filter { $0.contains("stopped: output ") }
        #expect(outputs.count == 7, "\(stderr)")
        for line in outputs {
            // `stopped: output eoat.drive-enable=false (safe false)`
            let fields = line.components(separatedBy: "stopped: output ")[1].split(separator: " ")
            let value = fields[0].split(separator: "=")[1]
            #expect("(safe \(value))" == fields[1...].joined(separator: " "), "\(line)")
        }
        #expect(stderr.contains("stopped: output eoat.drive-enable=false (safe false)"))
        for drive in ["jaw", "left-belt", "right-belt", "plank"] {
            #expect(stderr.contains("stopped: drive \(drive) switch_on_disabled velocity_mm_s=0"), "\(drive): \(stderr)")
        }
        #expect(stderr.contains("stopped: journal: every attempt recorded"))
        #expect(!stderr.contains("\u{1B}["), "colour codes on a pipe")
        // Closed cleanly: the write-ahead log was folded into the file.
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))

        let check = try StowctlProcess.run(["journal", "check", "--db", db])
        #expect(check.exitCode == 0, "\(check.stderr)")
        #expect(check.stdout.contains("\(db): ok"))
        let export = try StowctlProcess.run(["journal", "export", "--db", db, "--format", "json"])
        let records = try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [[String: Any]] ?? []
        let last = try #require(records.last, "the interrupted attempt is journaled")
        #expect(last["outcome"] as? String == "unproductive")
        #expect((last["cause"] as? String)?.hasPrefix("interrupted: SIGTERM in ") == true, "\(last)")
        #expect(records.compactMap { $0["attemptIndex"] as? Int } == Array(0..<records.count))
    }

    @Test("run on a hardware config with no devices names each missing one and starts nothing")
    func missingDevicesAreNamed() throws {
        let result = try StowctlProcess.run(["run", "--config", "firmware-config/eoat-linux.yaml", "--journal", "/nonexistent/j.sqlite"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("missing: gpio chip label eoat-io"), "\(result.stderr)")
        #expect(result.stderr.contains("missing: bus0 port USB serial FT6RS485A"), "\(result.stderr)")
        #expect(result.stderr.contains("missing: cell link /dev/ttyS1: "), "\(result.stderr)")
        #expect(result.stderr.contains("fix: "))
        #expect(result.stderr.contains("not started: "))
    }

    @Test("run with a broken config says which file and starts nothing")
    func badConfigIsRefused() throws {
        let result = try StowctlProcess.run(["run", "--config", "Tests/ConfigTests/Corpus/does-not-exist.yaml"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("not started: Tests/ConfigTests/Corpus/does-not-exist.yaml"), "\(result.stderr)")
    }

    @Test("under journald (JOURNAL_STREAM names stderr) every line carries its syslog priority and no timestamp")
    func journaldPriorities() throws {
        let process = Process()
        process.executableURL = StowctlProcess.binary
        process.arguments = ["run", "--config", "firmware-config/eoat-linux.yaml"]
        process.currentDirectoryURL = StowctlProcess.repositoryRoot
        let errors = Pipe()
        var status = stat()
        fstat(errors.fileHandleForWriting.fileDescriptor, &status)
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = "\(status.st_dev):\(status.st_ino)"
        process.environment = environment
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasPrefix("<2>critical stow.run: ") }, "\(text)")
    }
}
