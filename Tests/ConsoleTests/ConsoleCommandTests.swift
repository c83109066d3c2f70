import Config
import Console
import Testing

/// The command parser: every command, every refusal says what to type, and no input traps it.
@Suite("Console command parser")
struct ConsoleCommandTests {
    private func parse(_ line: String) throws -> ConsoleInvocation? {
        try ConsoleCommand.parse(line)
    }

    private func refusal(_ line: String) -> String? {
        do {
            _ = try ConsoleCommand.parse(line)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("each command parses to its case")
    func everyCommand() throws {
        let table: [(String, ConsoleCommand)] = [
            ("help", .help(topic: nil)), ("help jog", .help(topic: "jog")), ("status", .status),
            ("show loops", .showLoops(reset: false)), ("show loops reset", .showLoops(reset: true)),
            ("show pins", .showPins), ("show drives", .showDrives), ("show bus", .showBus),
            ("show faults", .showFaults), ("show config", .showConfig),
            ("get eoat.plank.extended", .get(signal: "eoat.plank.extended")),
            ("watch eoat.jaw.open", .watch(target: "eoat.jaw.open")), ("watch plank", .watch(target: "plank")),
            ("log debug", .log(level: .debug)), ("journal last 5", .journalLast(count: 5)),
            ("reset faults", .resetFaults), ("ack", .acknowledge), ("estop", .estop), ("arm maintenance", .armMaintenance),
            ("disarm", .disarmMaintenance), ("set eoat.tower-light.amber on", .set(signal: "eoat.tower-light.amber", value: true)),
            ("jog left-belt -12.5", .jog(drive: .leftBelt, velocityMMPerS: -12.5)), ("home plank", .home(drive: .plank)),
            ("enable jaw", .enable(drive: .jaw)), ("disable right-belt", .disable(drive: .rightBelt)),
            ("sim fault drive-fault plank 0x7500", .simFault(line: "drive-fault plank 0x7500")),
            ("sim fault clear", .simFaultClear(kind: nil)), ("sim fault clear estop", .simFaultClear(kind: "estop")),
            ("mode json", .mode(json: true)), ("mode text", .mode(json: false)), ("quit", .quit),
        ]
        for (line, command) in table {
            #expect(try parse(line) == ConsoleInvocation(command: command), "\(line)")
        }
    }

    @Test("--json anywhere asks for JSON; extra spaces and tabs are fine; a blank line is nothing")
    func jsonFlagAndWhitespace() throws {
        #expect(try parse("  status   --json ") == ConsoleInvocation(command: .status, json: true))
        #expect(try parse("show\t--json drives") == ConsoleInvocation(command: .showDrives, json: true))
        #expect(try parse("   ") == nil)
        #expect(refusal("--json") != nil)
    }

    @Test("refusals say what to type instead")
    func refusalsSayWhatToDo() {
        #expect(refusal("frobnicate")?.contains("type `help`") == true)
        #expect(refusal("get eoat.nope")?.contains("show pins") == true)
        #expect(refusal("jog elbow 5")?.contains("jaw, left-belt, right-belt, plank") == true)
        #expect(refusal("jog plank fast")?.contains("mm/s") == true)
        #expect(refusal("jog plank nan")?.contains("mm/s") == true)
        #expect(refusal("jog plank inf")?.contains("mm/s") == true)
        #expect(refusal("journal last 0")?.contains("1 to 1000") == true)
        #expect(refusal("journal last 99999999999999999999999")?.contains("1 to 1000") == true)
        #expect(refusal("set eoat.ready maybe")?.contains("true or false") == true)
        #expect(refusal("log loud")?.contains("trace") == true)
        #expect(refusal("show everything")?.contains("usage") == true)
        #expect(refusal("status now") != nil)
        #expect(refusal("sim") != nil)
    }

    @Test("an unknown word is echoed cut short, so a flood cannot make the reply huge")
    func longUnknownWordCut() {
        let message = refusal(String(repeating: "x", count: 10_000)) ?? ""
        #expect(message.count < 200)
    }

    @Test("random lines never trap the parser (fuzz, 50,000 lines)")
    func fuzz() {
        var generator = SplitMix(seed: 42)
        let words = ["show", "loops", "reset", "jog", "plank", "-1e308", "1e400", "get", "set", "sim", "fault", "clear",
                     "journal", "last", "--json", "help", "mode", "json", "arm", "maintenance", "eoat.ready", "0x7500", ""]
        for _ in 0..<50_000 {
            var line = ""
            let count = Int(generator.next() % 6)
            for _ in 0..<count {
                if generator.next() % 4 == 0 {
                    let length = Int(generator.next() % 12)
                    let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    line += String(decoding: bytes, as: UTF8.self)
                } else {
                    line += words[Int(generator.next() % UInt64(words.count))]
                }
                line += generator.next() % 5 == 0 ? "\t" : " "
            }
            _ = try? ConsoleCommand.parse(line)
        }
    }

    @Test("every command in help parses from its own usage's first word")
    func helpCoversCommands() {
        for entry in ConsoleHelp.entries {
            #expect(refusal(entry.name)?.contains("unknown command") != true, "\(entry.name)")
        }
    }
}
