import ArgumentParser
import Config
import Foundation
import HAL

/// `stowctl cell status|item|move`: poke the cell link (docs/cell-link.md) by hand, through the
/// same `CellLink` backend `stowctl run` uses.
struct CellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cell",
        abstract: "Bench tools for the cell link to the cell controller: status, item, move.",
        discussion: """
            The cell controller (PLC, arm controller or warehouse gateway) moves the arm and says \
            which item is at the induct, over the serial line of the config's cell: section. These \
            open that line with the backend the service uses and exit 0 on a good answer, 1 on a \
            refusal, a silent peer or a port that cannot be opened, naming the port. \
            Protocol: docs/cell-link.md. Stop the service first (the port is locked).

            Examples:
              stowctl cell status --config /etc/stowctl/eoat.yaml
              stowctl cell item --port /dev/ttyS1
              stowctl cell move bin r1c2 --x-mm 140 --advance-mm -20 --port /dev/ttyS1
            """,
        subcommands: [CellStatusCommand.self, CellItemCommand.self, CellMoveCommand.self]
    )
}

/// Where the link is: `--port` (with its own baud and timeouts) or the config's `cell:` section.
struct CellLinkOptions: ParsableArguments {
    @Option(help: "Serial port or pty wired to the cell controller (overrides the config's cell.port).")
    var port: String?

    @Option(help: "Robot config whose cell: section names the port, baud and timeouts.")
    var config: String?

    @Option(help: "Baud rate with --port (default: the config's, else 115200).")
    var baud: Int?

    @Option(name: .customLong("reply-timeout-ms"), help: "An answer later than this is a silent peer (default: the config's, else 200).")
    var replyTimeoutMS: Double?

    func validate() throws {
        if let replyTimeoutMS, !(5...10_000).contains(replyTimeoutMS) {
            throw ValidationError("--reply-timeout-ms \(replyTimeoutMS) is out of range 5...10000 (as cell.reply_timeout_ms)")
        }
    }

    /// Opens the link or prints why not and exits 1.
    func open() throws -> CellLink {
        var cell: CellConfig?
        if let config {
            do {
                cell = try RobotConfig.load(path: config).cell
            } catch {
                printToStderr("error: \(config): \(error)")
                throw ExitCode.failure
            }
            if cell == nil && port == nil {
                printToStderr("error: \(config) has no cell: section; add one (firmware-config/README.md) or give --port")
                throw ExitCode.failure
            }
        }
        guard let path = port ?? cell?.port else {
            throw ValidationError("give --port PATH, or --config FILE with a cell: section")
        }
        let baud = baud ?? cell?.baud ?? 115_200
        do {
            return try CellLink.open(path: path, baud: baud, replyTimeoutMS: replyTimeoutMS ?? cell?.replyTimeoutMS ?? 200,
                                     pollMS: cell?.pollMS ?? 100)
        } catch {
            printToStderr("error: cell link \(path) cannot be opened: \(error)")
            printToStderr("fix: check the port exists (`stowctl serial list`), that this user may open it (group dialout), "
                          + "and that nothing else holds it (systemctl stop stowctl)")
            throw ExitCode.failure
        }
    }

    /// Opens the link, waits for the cell controller to answer one WHAT and closes the link; a
    /// fault or a silent peer is printed and exits 1.
    func answeredStatus() throws -> CellLinkStatus {
        let cell = try open()
        let status = Self.wait(cell) { $0.itemKnown }
        guard status.fault == nil, status.itemKnown else { throw Self.fail(status, cell) }
        cell.close()
        return status
    }

    /// Waits (looking at the published status every 5 ms) until `done` says yes or the link
    /// faults, which it does by itself one reply timeout after an unanswered request; the cap
    /// (two reply timeouts plus 1 s) only guards against a link thread that never published.
    static func wait(_ link: CellLink, until done: (CellLinkStatus) -> Bool) -> CellLinkStatus {
        let deadline = MonotonicInstant.now().adding(nanoseconds: UInt64((2 * link.replyTimeoutMS + 1_000) * 1e6))
        while true {
            let status = link.status()
            if done(status) || status.fault != nil || MonotonicInstant.now() >= deadline { return status }
            usleep(5_000)
        }
    }

    /// Prints the link's fault (or that nothing came) and exits 1.
    static func fail(_ status: CellLinkStatus, _ link: CellLink) -> ExitCode {
        printToStderr("error: \(status.fault ?? "cell link \(status.port): no answer (the cell controller on \(status.port) is silent)")")
        if let bad = status.lastBadLine {
            printToStderr("last bad line: \(bad)")
        }
        link.close()
        return ExitCode.failure
    }
}

/// `stowctl cell status`
struct CellStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Send one WHAT; print whether the cell controller answers, the round trip and the item.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var link: CellLinkOptions

    @Flag(help: "Print JSON: {port, answering, roundTripMS, item, badLines, lastBadLine}.")
    var json = false

    func run() throws {
        try global.bootstrapLogging()
        let status = try link.answeredStatus()
        if json {
            var object: [String: Any] = ["port": status.port, "answering": true, "item": CellItemCommand.jsonObject(status.item),
                                         "badLines": status.badLines, "staleAnswers": status.staleAnswers]
            object["roundTripMS"] = status.roundTripNanoseconds.map { Double($0) / 1e6 }
            object["lastBadLine"] = status.lastBadLine
            try printJSON(object)
            return
        }
        let roundTrip = status.roundTripNanoseconds.map { String(format: "%.1f ms", Double($0) / 1e6) } ?? "?"
        print("cell link \(status.port): answering, round trip \(roundTrip)")
        print("item: \(CellItemCommand.describe(status.item))")
        if let bad = status.lastBadLine {
            print("bad lines: \(status.badLines), last: \(bad)")
        }
    }
}

/// `stowctl cell item`
struct CellItemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "item",
        abstract: "Print the item the cell controller reports at the induct or in the jaws (`none` when there is none).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var link: CellLinkOptions

    @Flag(help: "Print JSON: {id, kind, widthMM, heightMM, depthMM, massKG}, or null.")
    var json = false

    func run() throws {
        try global.bootstrapLogging()
        let status = try link.answeredStatus()
        if json {
            try printJSON(["item": Self.jsonObject(status.item)])
        } else {
            print(Self.describe(status.item))
        }
    }

    static func jsonObject(_ item: ItemCatalogEntry?) -> Any {
        guard let item else { return NSNull() }
        return ["id": item.id, "kind": item.kind, "widthMM": item.widthMM, "heightMM": item.heightMM,
                "depthMM": item.depthMM, "massKG": item.massKG] as [String: Any]
    }

    /// `B0001 rigid-box 120.0 x 80.0 x 60.0 mm 0.45 kg`, or `none`.
    static func describe(_ item: ItemCatalogEntry?) -> String {
        guard let item else { return "none" }
        let size = [item.widthMM, item.heightMM, item.depthMM].map { String(format: "%.1f", $0) }.joined(separator: " x ")
        return "\(item.id) \(item.kind) \(size) mm \(String(format: "%.2f", item.massKG)) kg"
    }
}

/// `stowctl cell move induct|sideline|bin NAME`
struct CellMoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Ask the arm for a pose; print whether the cell controller accepted (OK) or refused it (ERR and why).",
        discussion: """
            An accepted move only means the arm will go: arrival is the arm.in-position input \
            (`stowctl gpio get --chip eoat-io ARM_IN_POSITION`), and the arm moves only while \
            eoat.ready is asserted. With the arm controller in manual mode, nothing moves.
            """)

    enum Station: String, ExpressibleByArgument, CaseIterable {
        case induct, sideline, bin
    }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var link: CellLinkOptions

    @Argument(help: "induct, sideline or bin.")
    var station: Station

    @Argument(help: "The bin's name (`r1c2`), for bin.")
    var bin: String?

    @Option(name: .customLong("x-mm"), parsing: .unconditional, help: "Tool centre from the bin's left wall, mm (bin only).")
    var xMM: Double = 0

    @Option(name: .customLong("advance-mm"), parsing: .unconditional, help: "Tool tip past the bin front, mm; negative = in front of it (bin only).")
    var advanceMM: Double = 0

    @Flag(help: "Print JSON: {request, accepted, reason}; the exit status is the same.")
    var json = false

    func validate() throws {
        if station == .bin, bin == nil { throw ValidationError("move bin needs the bin's name (stowctl cell move bin r1c2)") }
        if station != .bin, bin != nil { throw ValidationError("only move bin takes a name") }
    }

    func run() throws {
        try global.bootstrapLogging()
        let pose: ArmPose
        switch station {
        case .induct: pose = .induct
        case .sideline: pose = .sideline
        case .bin: pose = ArmPose(station: .bin(bin ?? ""), xMM: xMM, advanceMM: advanceMM)
        }
        let cell = try link.open()
        do {
            try cell.requestMove(to: pose)
        } catch {
            printToStderr("error: \(error)")
            cell.close()
            throw ExitCode.failure
        }
        let status = CellLinkOptions.wait(cell) { status in
            guard let move = status.lastMove, move.pose == pose else { return false }
            return move.state != .sent
        }
        guard let move = status.lastMove, move.pose == pose else { throw CellLinkOptions.fail(status, cell) }
        let request = CellRequest.move(sequence: move.sequence, pose: pose).summary
        if json, move.state != .sent, move.state != .unanswered {
            var reason: Any = NSNull()
            if case let .refused(text) = move.state { reason = text }
            try printJSON(["request": request, "accepted": move.state == .accepted, "reason": reason])
            cell.close()
            if move.state != .accepted { throw ExitCode.failure }
            return
        }
        switch move.state {
        case .accepted:
            print("\(request): accepted (OK); arrival is signalled on arm.in-position")
            cell.close()
        case let .refused(reason):
            printToStderr("error: \(request): refused by the cell controller on \(status.port): \(reason)")
            cell.close()
            throw ExitCode.failure
        case .sent, .unanswered:
            throw CellLinkOptions.fail(status, cell)
        }
    }
}
