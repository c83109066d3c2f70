import Foundation
import Logging

/// A readable stderr log handler: `2026-11-29T04:50:01.123Z warning control: message key=value`.
///
/// Colour only when stderr is a terminal, so output piped to journald or a file stays clean.
struct StderrLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    private let label: String
    private let useColour: Bool

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
        self.useColour = isatty(STDERR_FILENO) == 1
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
        let levelText = useColour ? Self.coloured(event.level) : event.level.rawValue
        let line = "\(Self.timestamp()) \(levelText) \(label): \(event.message)\(suffix)\n"
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
