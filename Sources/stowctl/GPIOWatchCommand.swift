import ArgumentParser
import Foundation
import HAL

/// `stowctl gpio watch --chip C LINE... [--debounce-ms N] [--count N] [--json]`
struct GPIOWatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print edges on lines as they happen, with the kernel's timestamps.",
        discussion: """
            Requests the lines for edge events (consumer "stowctl") and prints one line per \
            edge: the kernel's timestamp on CLOCK_MONOTONIC in seconds, rising or falling, the \
            LINE as given, the chip line, and the time since the previous edge on that line. \
            Edges are logical: with --active-low, rising means the line became active (went low).

            --debounce-ms drops every edge that comes within that time of the previous accepted \
            edge on the same line, as the controller does for a switch configured with \
            debounce_ms; the number dropped per line is printed at the end. Watch a switch once \
            with no debounce to see how long it really bounces.

            The current level of each line goes to stderr first; edges go to stdout. Stops after \
            --count edges, or on Ctrl-C (SIGINT), SIGTERM or SIGHUP, then prints a summary to \
            stderr and releases the lines. The kernel queues at most 16 edges per line and drops \
            the rest, so a line that changes faster than stowctl reads it can lose edges.

            With --json, prints one JSON object per edge per line (JSON Lines): \
            {"line", "chip", "offset", "name", "edge", "timestampNS"}.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The chip (path, name, number or label).")
    var chip: String

    @Option(help: "Drop edges within this many milliseconds of the previous accepted edge on a line.")
    var debounceMs: Double = 0

    @Option(help: "Stop after this many edges (default: until Ctrl-C).")
    var count: Int?

    @Flag(help: "Treat the lines as active-low: rising means the line went low.")
    var activeLow = false

    @Option(help: "Bias to request: as-is, disabled, pull-up or pull-down.")
    var bias: GPIOBias = .asIs

    @Flag(help: "Print one JSON object per edge instead of text.")
    var json = false

    @Argument(help: "Lines to watch, by name or offset.")
    var lines: [String]

    func validate() throws {
        if debounceMs < 0 {
            throw ValidationError("--debounce-ms must be 0 or more, not \(debounceMs)")
        }
        if let count, count < 1 {
            throw ValidationError("--count must be 1 or more, not \(count)")
        }
    }

    func run() throws {
        try global.bootstrapLogging()
        let signals = TerminationSignals()  // so Ctrl-C ends with a summary instead of a kill
        try withGPIOErrorsReported {
            let opened = try GPIOChip.open(chip)
            let found = try lines.map { try opened.line($0) }
            let watcher = try GPIOEdgeWatcher(
                name: "gpio watch", lineNames: lines, lines: found,
                options: GPIOLineOptions(activeLow: activeLow, bias: bias),
                debounceNanoseconds: UInt64(debounceMs * 1_000_000))
            var levels = Array(repeating: false, count: found.count)
            try watcher.read(into: &levels)
            let levelText = zip(lines, levels).map { "\($0)=\($1 ? 1 : 0)" }.joined(separator: " ")
            printToStderr("watching \(opened.displayName): \(levelText); debounce \(debounceMs) ms; Ctrl-C to stop")

            var printed = 0
            var previous: [String: MonotonicInstant] = [:]
            var stopReason = "--count \(count ?? 0) reached"
            while count.map({ printed < $0 }) ?? true {
                if let signal = signals.wait(seconds: 0) {
                    stopReason = "\(TerminationSignals.name(signal)) received"
                    break
                }
                // A short deadline so a signal is noticed within 200 ms.
                guard let event = try watcher.waitForEdge(until: .inMilliseconds(200)) else { continue }
                guard let index = lines.firstIndex(of: event.line) else { continue }
                printEdge(event, line: found[index], previous: previous[event.line])
                previous[event.line] = event.timestamp
                printed += 1
            }
            let dropped = zip(lines, watcher.droppedEdgeCounts).map { "\($0): \($1)" }.joined(separator: ", ")
            printToStderr("\(stopReason); \(printed) edges printed; dropped by debounce: \(dropped)")
        }
    }

    private func printEdge(_ event: EdgeEvent, line: GPIOLine, previous: MonotonicInstant?) {
        if json {
            let record = GPIOEdgeRecord(
                line: event.line, chip: line.chip.name, offset: line.offset, name: line.kernelName,
                edge: event.edge.rawValue, timestampNS: event.timestamp.nanoseconds)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(record), let text = String(data: data, encoding: .utf8) {
                print(text)
            }
        } else {
            let since = previous.map { "  +" + milliseconds($0.nanoseconds(until: event.timestamp)) + " ms" } ?? ""
            let edge = event.edge.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            print("\(seconds(event.timestamp)) \(edge) \(event.line) (\(line.displayName))\(since)")
        }
        fflush(nil)  // edges must show as they happen, also through a pipe
    }

    /// `1234.567890123`: nanosecond precision, which a Double would lose after a few hours of uptime.
    private func seconds(_ instant: MonotonicInstant) -> String {
        let fraction = String(instant.nanoseconds % 1_000_000_000)
        return "\(instant.nanoseconds / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }

    private func milliseconds(_ nanoseconds: UInt64) -> String {
        String(format: "%.3f", Double(nanoseconds) / 1e6)
    }
}

/// One edge in `gpio watch --json`.
struct GPIOEdgeRecord: Encodable {
    var line: String
    var chip: String
    var offset: Int
    var name: String?
    var edge: String
    var timestampNS: UInt64
}
