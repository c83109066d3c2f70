import HAL

/// One console session on a byte stream (a UART, a pty, stdin/stdout): prompt, line editing,
/// commands, answers.
///
/// Every answer ends with `ok` or `error: ...` (text mode), or is one JSON line with `"ok"`
/// (`--json` or `mode json`). Reads wait at most `pollMilliseconds`, so `shouldStop` is checked
/// that often; writes wait at most `writeTimeoutMilliseconds` and output nobody reads is dropped
/// rather than stalling the session.
public final class ConsoleSession {
    /// How a session ended.
    public enum End: Equatable, Sendable {
        /// `quit`, or ctrl-D on an empty line.
        case quit
        /// `shouldStop` said so.
        case stopped
        /// The stream went away (the port unplugged, the other end of the pty closed, EOF on stdin).
        case disconnected(String)
    }

    public struct Options: Sendable {
        public var maxLineBytes = 256
        public var pollMilliseconds = 100
        public var writeTimeoutMilliseconds = 1000
        /// Period of `watch` updates.
        public var watchPeriodMilliseconds = 200
        /// Ctrl-D on an empty line and `quit` end the session (stdin/stdout). On a serial port
        /// ctrl-D is ignored (line noise must not end a session) and `quit` starts a new one.
        public var endOnCtrlD = true
        /// Printed once at the start.
        public var banner = "stow EOAT console: type `help` for commands"

        public init() {}
    }

    public let stream: ByteStream
    public let runner: ConsoleCommandRunner
    public let options: Options
    /// `mode json`: every answer as one JSON line.
    public private(set) var jsonMode = false
    private var editor: LineEditor

    public init(stream: ByteStream, target: ConsoleTarget, options: Options = Options()) {
        self.stream = stream
        self.runner = ConsoleCommandRunner(target: target)
        self.options = options
        editor = LineEditor(maxLineBytes: options.maxLineBytes)
    }

    /// Serves the session until `quit`, `shouldStop()` or a disconnect.
    public func run(shouldStop: () -> Bool = { false }) -> End {
        do {
            try write(options.banner + "\r\n")
            try writePrompt()
            var incoming: [UInt8] = []
            while !shouldStop() {
                incoming.removeAll(keepingCapacity: true)
                let count = try stream.read(into: &incoming, maxCount: 256, deadline: deadline(options.pollMilliseconds))
                guard count > 0 else { continue }
                for byte in incoming {
                    var echo: [UInt8] = []
                    let outcome = editor.feed(byte, echo: &echo)
                    try write(echo)
                    guard let outcome else { continue }
                    if let end = try handle(outcome, shouldStop: shouldStop) { return end }
                }
            }
            return .stopped
        } catch let error as HALError {
            return .disconnected("\(error)")
        } catch {
            return .disconnected("\(error)")
        }
    }

    // MARK: - Private helpers

    /// Answers a finished line; returns an end when the session is over.
    private func handle(_ outcome: LineEditor.Outcome, shouldStop: () -> Bool) throws -> End? {
        switch outcome {
        case .endOfInput:
            guard options.endOnCtrlD else { return nil }
            try write("\r\n")
            return .quit
        case .cancelled:
            break
        case let .tooLong(limit):
            try answerError("line longer than \(limit) characters was dropped; type a shorter command", command: "", json: jsonMode)
        case let .line(line):
            if try execute(line, shouldStop: shouldStop) { return .quit }
        }
        try writePrompt()
        return nil
    }

    /// Runs one line; true when it was `quit`.
    private func execute(_ line: String, shouldStop: () -> Bool) throws -> Bool {
        let verb = line.split(separator: " ").first.map(String.init) ?? ""
        let invocation: ConsoleInvocation
        do {
            guard let parsed = try ConsoleCommand.parse(line) else { return false }
            invocation = parsed
        } catch {
            try answerError(error.message, command: verb, json: jsonMode || line.contains("--json"))
            return false
        }
        let json = invocation.json || jsonMode
        switch invocation.command {
        case .quit:
            try answer(ConsoleAnswer(lines: ["bye"], json: .object([])), command: verb, json: json)
            return true
        case let .mode(toJSON):
            jsonMode = toJSON
            try answer(ConsoleAnswer(lines: ["mode \(toJSON ? "json" : "text")"], json: .object([("mode", .string(toJSON ? "json" : "text"))])),
                       command: verb, json: toJSON)
        case let .watch(watched):
            try watch(watched, json: json, shouldStop: shouldStop)
            try answer(ConsoleAnswer(lines: [], json: .object([("watch", .string("stopped"))])), command: verb, json: json)
        default:
            switch runner.run(invocation.command) {
            case let .success(result): try answer(result, command: verb, json: json)
            case let .failure(error): try answerError(error.message, command: verb, json: json)
            }
        }
        return false
    }

    /// Prints `watched` every period until any byte arrives (that byte is consumed).
    private func watch(_ watched: String, json: Bool, shouldStop: () -> Bool) throws {
        if !json { try write("watching \(watched); press any key to stop\r\n") }
        var incoming: [UInt8] = []
        while !shouldStop() {
            let line = runner.watchLine(watched)
            try write((json ? line.json.rendered : line.lines.joined(separator: "\r\n")) + "\r\n")
            if try stream.read(into: &incoming, maxCount: 256, deadline: deadline(options.watchPeriodMilliseconds)) > 0 {
                return
            }
        }
    }

    private func answer(_ result: ConsoleAnswer, command: String, json: Bool) throws {
        if json {
            let line = ConsoleJSON.object([("ok", .bool(true)), ("command", .string(command)), ("data", result.json)])
            try write(line.rendered + "\r\n")
        } else {
            try write((result.lines + ["ok"]).joined(separator: "\r\n") + "\r\n")
        }
    }

    private func answerError(_ message: String, command: String, json: Bool) throws {
        if json {
            try write(ConsoleJSON.object([("ok", .bool(false)), ("command", .string(command)), ("error", .string(message))]).rendered + "\r\n")
        } else {
            try write("error: \(message)\r\n")
        }
    }

    private func writePrompt() throws {
        editor.prompt = runner.target.view().prompt
        try write(editor.prompt)
    }

    private func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Writes, dropping output that cannot leave within the timeout (nobody reading, flow
    /// control held): the session must keep serving rather than wait on a stuck terminal.
    private func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        do {
            try stream.write(bytes, deadline: deadline(options.writeTimeoutMilliseconds))
        } catch let error as HALError where error.cause == .timeout {
            return
        }
    }

    private func deadline(_ milliseconds: Int) -> MonotonicInstant {
        MonotonicInstant.now().adding(nanoseconds: UInt64(milliseconds) * 1_000_000)
    }
}
