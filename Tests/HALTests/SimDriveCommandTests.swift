import Foundation
import Glibc
import Testing

@testable import HAL

/// `stowctl sim-drive` on a real pseudo-terminal, driven by the HAL's own serial port, Modbus
/// client and CiA 402 drive: the serial path bench-tested with no drive attached.
///
/// Serialized: each test starts its own sim-drive. Waits are for conditions, never on durations.
@Suite(.serialized) struct SimDriveCommandTests {
    static let settings = SerialSettings(baud: 115_200, parity: .none, stopBits: .two)
    /// The plank role: 200 counts/mm, rated 3000 mA.
    static let scaling = DriveScaling(countsPerMM: 200, ratedCurrentMilliamps: 3000)

    /// A running `stowctl sim-drive`; ends it by closing its stdin (EOF), as its parent dying would.
    final class SimDriveProcess {
        let process = Process()
        let link: String
        let slavePath: String
        private let input = Pipe()
        private let output = Pipe()

        /// `stowctl` sits next to the test bundle in the build products folder.
        static var binary: URL {
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("stowctl")
        }

        init(arguments: [String]) throws {
            signal(SIGPIPE, SIG_IGN)
            link = NSTemporaryDirectory() + "sim-drive-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
                throw HALError(device: Self.binary.path, cause: .notFound("stowctl binary; run swift build --build-tests first"))
            }
            process.executableURL = Self.binary
            process.arguments = ["sim-drive", "--pty", link] + arguments
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line = Self.readLine(output.fileHandleForReading.fileDescriptor, seconds: 10)
            guard line.hasPrefix("READY /dev/pts/") else {
                process.terminate()
                throw HALError(device: "stowctl sim-drive", cause: .protocolViolation("expected READY, got '\(line)'"))
            }
            slavePath = String(line.dropFirst("READY ".count))
        }

        /// Closes stdin and returns the exit status.
        func stop() -> Int32 {
            try? input.fileHandleForWriting.close()
            let giveUp = Date().addingTimeInterval(5)
            while process.isRunning && Date() < giveUp { usleep(2000) }
            if process.isRunning { process.terminate(); process.waitUntilExit() }
            return process.terminationStatus
        }

        private static func readLine(_ fd: Int32, seconds: Double) -> String {
            var line: [UInt8] = []
            let giveUp = Date().addingTimeInterval(seconds)
            while Date() < giveUp {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 100) > 0 else { continue }
                var byte: UInt8 = 0
                guard Glibc.read(fd, &byte, 1) == 1 else { break }
                if byte == UInt8(ascii: "\n") { break }
                line.append(byte)
            }
            return String(decoding: line, as: UTF8.self)
        }
    }

    func deadline() -> MonotonicInstant { .inMilliseconds(5000) }

    @Test("The HAL's ModbusCiA402Drive enables, jogs and reads a simulated drive over a real pty")
    func enableJogAndReadStatus() throws {
        let simulated = try SimDriveProcess(arguments: ["--unit", "4", "--role", "plank"])
        let port = try TermiosPort(path: simulated.link, settings: Self.settings)
        defer { port.close() }
        let client = ModbusRTUClient(stream: port, settings: Self.settings, options: .init(responseTimeoutMilliseconds: 200), busName: "bus0")
        let drive = try ModbusCiA402Drive(name: "plank", client: client, unit: 4, scaling: Self.scaling)

        #expect(try drive.readState(deadline: deadline()) == .switchOnDisabled)
        try drive.enable(deadline: deadline())
        #expect(try drive.readState(deadline: deadline()) == .operationEnabled)

        let jog = DriveSetpoint(controlword: CiA402Controlword.enableOperation.rawValue, mode: .profileVelocity, targetVelocityMMPerS: 100)
        let start = try drive.exchange(jog, deadline: deadline())
        var latest = start
        let giveUp = MonotonicInstant.inMilliseconds(5000)
        while latest.velocityMMPerS != 100 && MonotonicInstant.now() < giveUp {
            usleep(5000)
            latest = try drive.exchange(jog, deadline: deadline())
        }
        #expect(latest.velocityMMPerS == 100)
        // The statusword rides on the first transaction of a cycle and the velocity on a later
        // one, so the drive may reach the speed between them: the next cycle shows bit 10.
        latest = try drive.exchange(jog, deadline: deadline())
        #expect(latest.positionMM > start.positionMM)
        #expect(latest.currentMilliamps > 0)
        #expect(latest.statusword & CiA402StatusBit.targetReached != 0)

        var stop = jog
        stop.targetVelocityMMPerS = 0
        while latest.velocityMMPerS != 0 && MonotonicInstant.now() < giveUp {
            usleep(5000)
            latest = try drive.exchange(stop, deadline: deadline())
        }
        #expect(latest.velocityMMPerS == 0)
        try drive.disable(deadline: deadline())
        #expect(client.statistics.failedRequests == 0)

        port.close()
        #expect(simulated.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: simulated.link))
    }

    @Test("A wrong unit id gets no answer: the client times out")
    func wrongUnitTimesOut() throws {
        let simulated = try SimDriveProcess(arguments: ["--unit", "1", "--role", "jaw"])
        let port = try TermiosPort(path: simulated.link, settings: Self.settings)
        defer { port.close() }
        let client = ModbusRTUClient(
            stream: port, settings: Self.settings, options: .init(responseTimeoutMilliseconds: 50, maxRetries: 1), busName: "bus0")
        let stranger = try ModbusCiA402Drive(name: "jaw", client: client, unit: 2, scaling: Self.scaling)
        #expect(throws: HALError(device: "bus0.drive.jaw", cause: .timeout)) { try stranger.readState(deadline: deadline()) }
        let right = try ModbusCiA402Drive(name: "jaw", client: client, unit: 1, scaling: Self.scaling)
        #expect(try right.readState(deadline: deadline()) == .switchOnDisabled)
        port.close()
        #expect(simulated.stop() == 0)
    }
}
