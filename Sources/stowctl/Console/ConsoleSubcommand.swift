import ArgumentParser
import Config
import Console
import Foundation
import HAL
import Synchronization

/// `stowctl console`: the diagnostics console attached to a simulated controller running paced in
/// real time, on stdin/stdout or served on a serial port or pty.
struct ConsoleSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Diagnostics console on a simulated controller (stdin/stdout, a serial port or a pty).",
        discussion: """
            Builds the simulated robot from --config (backend: sim) and runs it paced in real time: the \
            stow cycle runs on its own, items arrive at the induct. The console reads its snapshots and \
            posts commands through a bounded queue; it never slows the control loop. Type `help` at the \
            prompt; every command answers with its output then `ok`, or `error: ...`. Manual: docs/console.md.

            Without --port (or console.port in the config) the console is on stdin/stdout and ends at \
            `quit`, ctrl-D or end of input. With a port it keeps serving: when the port goes away (a USB \
            adapter unplugged, the other end of a pty closed) it reopens it every second until it is back.

            Examples:
              stowctl console
              socat -d pty,raw,echo=0,link=/tmp/console-a pty,raw,echo=0,link=/tmp/console-b &
              stowctl console --port /tmp/console-a & picocom /tmp/console-b
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config; must use backend: sim.")
    var config: String = "firmware-config/sim.yaml"

    @Option(help: "Serial port or pty to serve the console on (default: console.port from the config, else stdin/stdout).")
    var port: String?

    @Option(help: "Baud rate on --port (default: console.baud from the config).")
    var baud: Int?

    func run() throws {
        try global.bootstrapLogging()
        let signals = TerminationSignals()
        let robotConfig = try loadSimRobotConfig(path: config, command: "stowctl console")
        let target = try SimConsoleTarget(config: robotConfig)
        let stopping = Atomic<Bool>(false)
        let simulation = Thread {
            target.run(until: { stopping.load(ordering: .relaxed) })
            target.robot.executor.finish()
        }
        simulation.name = "console-sim"
        simulation.start()
        defer {
            stopping.store(true, ordering: .relaxed)
            while !simulation.isFinished { usleep(1000) }
        }
        let shouldStop = { signals.arrived() }
        if let path = port ?? robotConfig.console.port {
            let settings = SerialSettings(baud: baud ?? robotConfig.console.baud)
            Self.serve(path: path, settings: settings, target: target, shouldStop: shouldStop)
        } else {
            let stream = StdioByteStream()
            stream.makeRaw()
            defer { stream.restore() }
            _ = ConsoleSession(stream: stream, target: target).run(shouldStop: shouldStop)
        }
    }

    /// Serves sessions on `path` until `shouldStop()` (a termination signal), reopening the port
    /// whenever it goes away. `stowctl run` serves its console with this too.
    static func serve(path: String, settings: SerialSettings, target: ConsoleTarget, shouldStop: () -> Bool) {
        var reportedFailure: String?
        while !shouldStop() {
            let stream: TermiosPort
            do {
                stream = try TermiosPort(path: path, settings: settings)
            } catch {
                let text = "\(error)"
                if reportedFailure != text {
                    printToStderr("console: cannot open \(path): \(text); retrying every second (check the path, or who holds the port)")
                    reportedFailure = text
                }
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            reportedFailure = nil
            printToStderr("console: serving on \(path) (\(settings))")
            var options = ConsoleSession.Options()
            options.endOnCtrlD = false
            let end = ConsoleSession(stream: stream, target: target, options: options).run(shouldStop: shouldStop)
            stream.close()
            switch end {
            case let .disconnected(reason):
                printToStderr("console: \(path) went away (\(reason)); reopening every second")
                Thread.sleep(forTimeInterval: 1)
            case .quit:
                printToStderr("console: session on \(path) ended with quit; serving a new one")
            case .stopped:
                return
            }
        }
    }
}
