import Foundation
import Glibc

/// A simulated RS-485 bus of CiA 402 drives for tests: a `socat` pty pair with the Python peer
/// (`Tests/Peers/cia402_peer.py`, pymodbus) on one end and `clientPath` free for the code under
/// test on the other.
///
/// The peer is an independent implementation written from the Modbus and CiA 402 standards; its
/// behaviour and stdin commands are documented in its header. Typical use:
///
///     let bus = try ModbusPeerHarness(units: [1, 2])
///     defer { bus.stop() }
///     // open bus.clientPath, talk Modbus RTU...
///     _ = try bus.send("silent 2 on")
///     let lines = try bus.send("get 1 0x6041")   // ["value 592"]
///
/// Needs `socat` and `python3` with pymodbus and pyserial on PATH (override the interpreter with
/// the environment variable `MODBUS_PEER_PYTHON`). Writing to a dead peer must not kill the test
/// process, so creating a harness sets SIGPIPE to be ignored, process-wide.
final class ModbusPeerHarness {
    /// The pty end for the client under test (a symlink to `/dev/pts/N`).
    let clientPath: String
    /// The pty end the peer serves.
    let peerPath: String

    private let directory: String
    private let socat: Process
    private var peer: Process?
    private var peerInput: FileHandle?
    private var peerOutput: Int32 = -1
    private var pendingOutput: [UInt8] = []
    private var stopped = false

    static let startTimeoutSeconds = 10.0
    static let commandTimeoutSeconds = 5.0

    enum Failure: Error, CustomStringConvertible {
        case setup(String)
        case peerDied(String, stderr: String)
        case timeout(String, stderr: String)
        case commandFailed(command: String, answer: String)

        var description: String {
            switch self {
            case let .setup(what):
                return "ModbusPeerHarness: \(what)"
            case let .peerDied(what, stderr):
                return "ModbusPeerHarness: the peer exited \(what). Its stderr:\n\(stderr)"
            case let .timeout(what, stderr):
                return "ModbusPeerHarness: timed out \(what). Peer stderr so far:\n\(stderr)"
            case let .commandFailed(command, answer):
                return "ModbusPeerHarness: peer refused '\(command)': \(answer)"
            }
        }
    }

    /// Starts socat and the peer serving `units`, and returns once the peer prints READY.
    init(units: [UInt8] = [1], baud: Int = 115200) throws {
        signal(SIGPIPE, SIG_IGN)
        directory = try Self.makeTemporaryDirectory()
        peerPath = directory + "/peer"
        clientPath = directory + "/client"

        socat = Process()
        socat.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        socat.arguments = ["socat", "pty,raw,echo=0,link=\(peerPath)", "pty,raw,echo=0,link=\(clientPath)"]
        socat.standardError = try Self.logFile(directory + "/socat.stderr")
        do {
            try socat.run()
            try waitForPtyLinks()
            try startPeer(units: units, baud: baud)
            try waitForReady()
        } catch {
            stop()
            throw error
        }
    }

    deinit {
        stop()
    }

    /// Sends one command line to the peer; returns the lines it printed before `ok`.
    /// Throws `Failure.commandFailed` when the peer answers `error: ...`.
    @discardableResult
    func send(_ command: String) throws -> [String] {
        guard let input = peerInput, !stopped else { throw Failure.setup("send after stop()") }
        do {
            try input.write(contentsOf: Data((command + "\n").utf8))
        } catch {
            throw Failure.peerDied("before '\(command)' could be sent", stderr: peerStderr())
        }
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(Self.commandTimeoutSeconds)
        while true {
            let line = try readLine(until: deadline, waitingFor: "the answer to '\(command)'")
            if line == "ok" { return lines }
            if line.hasPrefix("error:") { throw Failure.commandFailed(command: command, answer: line) }
            lines.append(line)
        }
    }

    /// Ends the peer and socat and removes the temporary directory. Safe to call twice.
    func stop() {
        if stopped { return }
        stopped = true
        try? peerInput?.close()  // EOF on stdin: the peer exits by itself, within ~50 ms
        if let peer { Self.end(peer, graceSeconds: 2) }
        // socat keeps no state worth a clean exit, and children of the test runner may inherit
        // a signal mask that blocks SIGTERM (measured: socat ignored it), so it gets SIGKILL.
        if socat.processIdentifier != 0 { Self.end(socat, graceSeconds: 0) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The peer's stderr so far (pymodbus logs, tracebacks).
    func peerStderr() -> String {
        (try? String(contentsOfFile: directory + "/peer.stderr", encoding: .utf8)) ?? "(none)"
    }

    // MARK: - Start-up

    /// `Tests/Peers/cia402_peer.py`, found from this file: Tests/HALTests/Support/ -> repo root.
    static func peerScriptPath(file: String = #filePath) -> String {
        URL(fileURLWithPath: file)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // HALTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent("Tests/Peers/cia402_peer.py").path
    }

    /// The real interpreter behind `python3` (or `MODBUS_PEER_PYTHON`), found once per test run.
    /// A pyenv shim forks rather than execs, so the pid we hold would be the shim's and a kill
    /// would orphan the peer; running `sys.executable` directly makes the pid the peer's.
    static let python: String = {
        let requested = ProcessInfo.processInfo.environment["MODBUS_PEER_PYTHON"] ?? "python3"
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [requested, "-c", "import sys; print(sys.executable)"]
        let output = Pipe()
        probe.standardOutput = output
        guard (try? probe.run()) != nil else { return requested }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        probe.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return probe.terminationStatus == 0 && !path.isEmpty ? path : requested
    }()

    private func waitForPtyLinks() throws {
        let deadline = Date().addingTimeInterval(Self.startTimeoutSeconds)
        let files = FileManager.default
        while !(files.fileExists(atPath: peerPath) && files.fileExists(atPath: clientPath)) {
            if !socat.isRunning {
                let log = (try? String(contentsOfFile: directory + "/socat.stderr", encoding: .utf8)) ?? ""
                throw Failure.setup("socat exited (status \(socat.terminationStatus)) before creating the ptys: \(log)")
            }
            if Date() > deadline { throw Failure.setup("socat did not create \(peerPath) and \(clientPath)") }
            usleep(2_000)
        }
    }

    private func startPeer(units: [UInt8], baud: Int) throws {
        let script = Self.peerScriptPath()
        guard FileManager.default.fileExists(atPath: script) else {
            throw Failure.setup("peer script not found at \(script)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            Self.python, script, "--port", peerPath, "--baud", String(baud),
            "--units", units.map(String.init).joined(separator: ","),
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = try Self.logFile(directory + "/peer.stderr")
        try process.run()
        peer = process
        peerInput = input.fileHandleForWriting
        peerOutput = output.fileHandleForReading.fileDescriptor
    }

    private func waitForReady() throws {
        let deadline = Date().addingTimeInterval(Self.startTimeoutSeconds)
        let line = try readLine(until: deadline, waitingFor: "READY")
        guard line == "READY" else {
            throw Failure.setup("expected READY from the peer, got '\(line)'. Stderr:\n\(peerStderr())")
        }
    }

    // MARK: - Peer output

    /// One line of the peer's stdout, waiting with poll(2) so a hung peer cannot hang the test.
    private func readLine(until deadline: Date, waitingFor what: String) throws -> String {
        while true {
            if let newline = pendingOutput.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pendingOutput[..<newline], as: UTF8.self)
                pendingOutput.removeSubrange(...newline)
                return line
            }
            let remainingMilliseconds = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            if remainingMilliseconds == 0 {
                throw Failure.timeout("waiting for \(what)", stderr: peerStderr())
            }
            var descriptor = pollfd(fd: peerOutput, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, min(remainingMilliseconds, 100))
            if ready < 0 && errno != EINTR {
                throw Failure.setup("poll on the peer's stdout failed: errno \(errno)")
            }
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(peerOutput, &chunk, chunk.count)
            if count > 0 {
                pendingOutput.append(contentsOf: chunk[..<count])
            } else if count == 0 || errno != EINTR {
                peer?.waitUntilExit()
                let status = peer.map { String($0.terminationStatus) } ?? "?"
                throw Failure.peerDied("(status \(status)) while waiting for \(what)", stderr: peerStderr())
            }
        }
    }

    // MARK: - Helpers

    private static func makeTemporaryDirectory() throws -> String {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/modbus-peer-XXXXXX".utf8CString)
        let path: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard mkdtemp(buffer.baseAddress!) != nil else { return nil }
            return String(cString: buffer.baseAddress!)
        }
        guard let path else { throw Failure.setup("mkdtemp failed: errno \(errno)") }
        return path
    }

    private static func logFile(_ path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path)
        else { throw Failure.setup("cannot create \(path)") }
        return handle
    }

    /// Waits up to `graceSeconds` for the process to exit by itself, then SIGKILLs it; always
    /// reaps it. (SIGKILL, not SIGTERM: a blocked SIGTERM would turn every stop into a wait.)
    private static func end(_ process: Process, graceSeconds: Double) {
        let deadline = Date().addingTimeInterval(graceSeconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
