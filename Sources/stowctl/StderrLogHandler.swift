import Foundation
import Logging
import Synchronization

/// A readable stderr log handler: `2026-11-29T04:50:01.123Z warning control: message key=value`.
///
/// Three styles, chosen once at start (`Style.detect()`):
/// - on a terminal: the level in colour;
/// - piped to a file or another program: plain text, no colour codes;
/// - under systemd, when stderr is the journal stream (`JOURNAL_STREAM` names stderr's device and
///   inode, as systemd documents): `<N>warning control: message`, the syslog priority prefix
///   journald reads as the entry's priority, and no timestamp (journald stamps every line).
struct StderrLogHandler: LogHandler {
    enum Style: Equatable {
        case terminal
        case plain
        case journald

        static func detect() -> Style {
            if let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"], isStderr(stream) { return .journald }
            return isatty(STDERR_FILENO) == 1 ? .terminal : .plain
        }

        /// `JOURNAL_STREAM` is `DEVICE:INODE` of the stream systemd connected; a child whose stderr was
        /// redirected elsewhere inherits the variable, so it is checked against stderr itself.
        private static func isStderr(_ journalStream: String) -> Bool {
            let parts = journalStream.split(separator: ":")
            guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
            var status = stat()
            guard fstat(STDERR_FILENO, &status) == 0 else { return false }
            return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
        }
    }

    /// This handler's level, unless an operator set one for the whole process.
    var logLevel: Logger.Level {
        get { Self.processLevel.withLock { $0 } ?? ownLevel }
        set { ownLevel = newValue }
    }
    var metadata: Logger.Metadata = [:]
    private var ownLevel: Logger.Level
    private let label: String
    private let style: Style
    private static let processLevel = Mutex<Logger.Level?>(nil)

    init(label: String, level: Logger.Level, style: Style = .detect()) {
        self.label = label
        self.ownLevel = level
        self.style = style
    }

    /// Sets the level of every logger in the process, existing ones included (the console's
    /// `log LEVEL` on the controller).
    static func setProcessLevel(_ level: Logger.Level) {
        processLevel.withLock { $0 = level }
    }

    /// The syslog priority journald files a level under (sd-daemon.h's SD_DEBUG ... SD_CRIT).
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// One log line as this style writes it, with its newline.
    func format(level: Logger.Level, message: String, suffix: String) -> String {
        switch style {
        case .journald:
            return "<\(Self.syslogPriority(level))>\(level.rawValue) \(label): \(message)\(suffix)\n"
        case .terminal:
            return "\(Self.timestamp()) \(Self.coloured(level)) \(label): \(message)\(suffix)\n"
        case .plain:
            return "\(Self.timestamp()) \(level.rawValue) \(label): \(message)\(suffix)\n"
        }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata {
            fields.merge(extra) { _, new in new }
        }
        let suffix = fields.isEmpty
            ? ""
            : " " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // A multi-line message would reach journald as separate entries without a priority.
        let message = "\(event.message)".replacingOccurrences(of: "\n", with: style == .journald ? " | " : "\n")
        let line = format(level: event.level, message: message, suffix: suffix)
        FileHandle.standardError.write(Data(line.utf8))
    }

    nonisolated(unsafe) private static var bootstrapped = false

    /// `LoggingSystem.bootstrap` may run once per process; later calls keep the first level.
    static func bootstrapOnce(level: Logger.Level) {
        guard !bootstrapped else { return }
        bootstrapped = true
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    private static func coloured(_ level: Logger.Level) -> String {
        let code: String
        switch level {
        case .trace, .debug: code = "2"
        case .info, .notice: code = "0"
        case .warning: code = "33"
        case .error, .critical: code = "31"
        }
        return "\u{1B}[\(code)m\(level.rawValue)\u{1B}[0m"
    }
}
