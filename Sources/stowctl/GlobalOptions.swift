import ArgumentParser
import Foundation
import Logging

/// Options every subcommand takes. Include with `@OptionGroup var global: GlobalOptions` and call
/// `global.bootstrapLogging()` first thing in `run()`.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Log level: trace, debug, info, notice, warning, error, critical.",
            discussion: "Defaults to $STOWCTL_LOG_LEVEL, or info when that is unset."
        )
    )
    var logLevel: String?

    /// The log level from `--log-level`, else `STOWCTL_LOG_LEVEL`, else `info`.
    func resolvedLogLevel() throws -> Logger.Level {
        let fromEnvironment = ProcessInfo.processInfo.environment["STOWCTL_LOG_LEVEL"]
        let text = logLevel ?? fromEnvironment ?? "info"
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let source = logLevel != nil ? "--log-level" : "STOWCTL_LOG_LEVEL"
            let allowed = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("\(source): unknown log level '\(text)' (use one of: \(allowed))")
        }
        return level
    }

    /// Installs the stderr log handler at the resolved level. Call once, first thing in `run()`.
    func bootstrapLogging() throws {
        let level = try resolvedLogLevel()
        StderrLogHandler.bootstrapOnce(level: level)
    }
}
