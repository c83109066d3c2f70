import Foundation
import Glibc
import HAL
import SimHAL

/// The real-time loop of `stowctl sim-drive`: steps the drive on the wall clock every 1 ms,
/// answers Modbus requests arriving on the pty, takes commands on stdin, stops on a signal.
struct SimDriveServeLoop {
    let pty: PseudoTerminal
    let server: ModbusRTUServer
    let drive: SimDrive
    let unit: UInt8
    let signals: TerminationSignals
    let readStdin: Bool
    /// Line silence after which unframed bytes are handed to the server as one frame. A pty has
    /// no character timing; this stands in for t3.5 with room for scheduling.
    let silenceNanoseconds: UInt64

    static let stepNanoseconds: UInt64 = 1_000_000
    /// After a stall of the process (suspend, debugger), catch up at most this much model time.
    static let maxCatchUpNanoseconds: UInt64 = 200_000_000

    /// Runs until SIGINT, SIGTERM, SIGHUP, stdin EOF or `quit`; returns why it stopped.
    func run() throws -> String {
        var framer = ModbusRTURequestFramer()
        var received: [UInt8] = []
        var stdinBuffer: [UInt8] = []
        var lastStep = MonotonicInstant.now()
        var lastByte = lastStep

        while true {
            if let signal = signals.wait(seconds: 0) {
                return TerminationSignals.name(signal)
            }
            var descriptors = [pollfd(fd: pty.masterFD, events: Int16(POLLIN), revents: 0)]
            if readStdin {
                descriptors.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0))
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), 1)
            if ready < 0 && errno != EINTR {
                throw SimDriveFailure.errno("poll", "pty and stdin")
            }

            let now = MonotonicInstant.now()
            var behind = lastStep.nanoseconds(until: now)
            if behind > Self.maxCatchUpNanoseconds {
                lastStep = MonotonicInstant(nanoseconds: now.nanoseconds - Self.maxCatchUpNanoseconds)
                behind = Self.maxCatchUpNanoseconds
            }
            while behind >= Self.stepNanoseconds {
                drive.step(byNanoseconds: Self.stepNanoseconds)
                lastStep = lastStep.adding(nanoseconds: Self.stepNanoseconds)
                behind -= Self.stepNanoseconds
            }

            if descriptors[0].revents & Int16(POLLIN) != 0 {
                received.removeAll(keepingCapacity: true)
                if try pty.readAvailable(into: &received) > 0 {
                    framer.append(received)
                    lastByte = now
                }
                while let frame = framer.nextFrame() {
                    try answer(frame)
                }
            }
            if framer.pendingCount > 0 && lastByte.nanoseconds(until: now) >= silenceNanoseconds, let rest = framer.takeRemainder() {
                try answer(rest)
            }

            if readStdin && descriptors[1].revents & Int16(POLLIN | POLLHUP) != 0 {
                var chunk = [UInt8](repeating: 0, count: 256)
                let count = chunk.withUnsafeMutableBytes { Glibc.read(STDIN_FILENO, $0.baseAddress!, $0.count) }
                if count == 0 {
                    return "end of stdin"
                }
                if count > 0 {
                    stdinBuffer.append(contentsOf: chunk[0..<count])
                    while let newline = stdinBuffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: stdinBuffer[..<newline], as: UTF8.self)
                        stdinBuffer.removeSubrange(...newline)
                        if SimDriveConsole.execute(line, on: drive) == .quit {
                            return "quit"
                        }
                    }
                }
            }
        }
    }

    private func answer(_ frame: [UInt8]) throws {
        let exceptionsBefore = server.statistics.exceptions
        guard let reply = server.handle(frame: frame[...]) else { return }
        try pty.write(reply)
        if server.statistics.exceptions != exceptionsBefore, let last = server.lastException {
            printToStderr("sim-drive: unit \(last.unit): \(last.exception) (function 0x\(String(last.function, radix: 16, uppercase: true)))")
        }
    }
}

/// Commands on stdin, one per line, each answered on stdout by `ok` or `error: ...`.
enum SimDriveConsole {
    enum Outcome { case done, quit }

    static let help = """
        fault CODE     latch a fault with error code CODE (0x2310 or decimal)
        stall on|off   seize the axis / free it
        freeze on|off  freeze the statusword and actual values / unfreeze
        sto on|off     safe torque off active (no torque) / released
        clear          end stall and frozen feedback
        status         print state, statusword, error code, position, velocity, current
        quit           exit 0
        """

    static func execute(_ line: String, on drive: SimDrive) -> Outcome {
        let words = line.split(separator: " ").map(String.init)
        var outcome = Outcome.done
        switch (words.first ?? "", words.dropFirst().first) {
        case ("fault", let code?):
            guard let value = parseCode(code) else { return answer("error: fault: '\(code)' is not a code in 1...0xFFFF") }
            drive.inject(.errorCode(value))
        case ("stall", "on"): drive.inject(.stall)
        case ("stall", "off"), ("freeze", "off"), ("clear", nil): drive.clearInjectedFaults()
        case ("freeze", "on"): drive.inject(.frozenFeedback)
        case ("sto", "on"): drive.torqueEnabled = false
        case ("sto", "off"): drive.torqueEnabled = true
        case ("status", nil):
            print("state \(drive.state.name) statusword 0x\(String(drive.read(.statusword), radix: 16)) "
                + "error 0x\(String(drive.errorCode, radix: 16)) position_mm \(drive.positionMM) "
                + "velocity_mm_s \(drive.velocityMMPerS) current_ma \(drive.currentMA)")
        case ("quit", nil): outcome = .quit
        default:
            return answer("error: unknown command '\(line)'; commands:\n\(help)")
        }
        _ = answer("ok")
        return outcome
    }

    private static func answer(_ text: String) -> Outcome {
        print(text)
        fflush(nil)  // stdout: the reader waits for this line
        return .done
    }

    private static func parseCode(_ text: String) -> UInt16? {
        let value = text.lowercased().hasPrefix("0x") ? UInt16(text.dropFirst(2), radix: 16) : UInt16(text)
        return value.flatMap { $0 == 0 ? nil : $0 }
    }
}
