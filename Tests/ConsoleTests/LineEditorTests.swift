import Console
import Testing

/// The line editor as a terminal drives it: bytes in, echo and lines out.
@Suite("Line editor")
struct LineEditorTests {
    private func type(_ text: String, into editor: inout LineEditor) -> (outcomes: [LineEditor.Outcome], echo: String) {
        var echo: [UInt8] = []
        let outcomes = editor.feed(Array(text.utf8), echo: &echo)
        return (outcomes, String(decoding: echo, as: UTF8.self))
    }

    @Test("printable input is echoed and Enter (CR, LF or CR LF) finishes one line")
    func printableEchoedAndEnterFinishes() {
        var editor = LineEditor()
        let typed = type("status\r\n", into: &editor)
        #expect(typed.outcomes == [.line("status")])
        #expect(typed.echo == "status\r\n")
        #expect(type("help\n", into: &editor).outcomes == [.line("help")])
        #expect(type("a\rb\r", into: &editor).outcomes == [.line("a"), .line("b")])
    }

    @Test("backspace and DEL remove the last character and erase it on screen")
    func backspaceAndDeleteErase() {
        var editor = LineEditor()
        let typed = type("shoq\u{7F}w\u{08}w pins\r", into: &editor)
        #expect(typed.outcomes == [.line("show pins")])
        #expect(typed.echo.contains("\u{08} \u{08}"))
        #expect(type("\u{7F}\u{7F}x\r", into: &editor).outcomes == [.line("x")], "backspace on an empty line does nothing")
    }

    @Test("ctrl-C cancels the line and the next line starts clean")
    func ctrlCCancels() {
        var editor = LineEditor()
        let typed = type("jog plank 50\u{03}status\r", into: &editor)
        #expect(typed.outcomes == [.cancelled, .line("status")])
        #expect(typed.echo.contains("^C\r\n"))
    }

    @Test("ctrl-U clears the line and redraws the prompt")
    func ctrlUClears() {
        var editor = LineEditor()
        editor.prompt = "stow[await_item]> "
        let typed = type("garbage\u{15}status\r", into: &editor)
        #expect(typed.outcomes == [.line("status")])
        #expect(typed.echo.contains("\r\u{1B}[Kstow[await_item]> "))
    }

    @Test("up and down arrows recall history; down past the newest restores the draft")
    func historyWithArrows() {
        var editor = LineEditor()
        _ = type("status\rshow loops\r", into: &editor)
        #expect(type("\u{1B}[A\r", into: &editor).outcomes == [.line("show loops")])
        #expect(type("\u{1B}[A\u{1B}[A\u{1B}[A\r", into: &editor).outcomes == [.line("status")], "stops at the oldest")
        #expect(type("dra\u{1B}[A\u{1B}[Bft\r", into: &editor).outcomes == [.line("draft")])
        #expect(type("\u{1B}OA\r", into: &editor).outcomes == [.line("draft")], "SS3 arrows (application mode) work too")
    }

    @Test("history keeps the newest lines up to its limit and skips blanks and repeats")
    func historyBounded() {
        var editor = LineEditor(historyLimit: 2)
        _ = type("a\r\r   \ra\rb\rc\r", into: &editor)
        #expect(editor.history == ["b", "c"])
    }

    @Test("a line past the length bound rings once and is refused at Enter with its limit")
    func lineLengthBound() {
        var editor = LineEditor(maxLineBytes: 8)
        let typed = type("123456789012\r", into: &editor)
        #expect(typed.outcomes == [.tooLong(maxLineBytes: 8)])
        #expect(typed.echo.filter { $0 == "\u{07}" }.count == 1)
        #expect(type("ok\r", into: &editor).outcomes == [.line("ok")], "the next line is fine")
    }

    @Test("binary bytes, stray control bytes and unknown escapes are dropped and counted")
    func garbageSurvived() {
        var editor = LineEditor()
        var echo: [UInt8] = []
        let garbage: [UInt8] = [0x00, 0xFF, 0x80, 0x9B, 0x01, 0x1B, 0x5B, 0x31, 0x3B, 0x35, 0x43, 0x1B, 0x58, 0xC3, 0xA9]
        let outcomes = editor.feed(garbage + Array("help\r".utf8), echo: &echo)
        #expect(outcomes == [.line("help")])
        #expect(editor.ignoredBytes > 0)
        #expect(!echo.contains { $0 >= 0x80 || ($0 < 0x20 && $0 != 0x0D && $0 != 0x0A) }, "nothing unprintable is echoed")
    }

    @Test("ctrl-D ends input only on an empty line")
    func ctrlDOnEmptyLine() {
        var editor = LineEditor()
        #expect(type("ab\u{04}\r", into: &editor).outcomes == [.line("ab")])
        #expect(type("\u{04}", into: &editor).outcomes == [.endOfInput])
    }

    @Test("a random byte flood never traps and never grows the line past its bound")
    func floodFuzz() {
        var generator = SplitMix(seed: 8)
        var editor = LineEditor(maxLineBytes: 64)
        for _ in 0..<200_000 {
            var echo: [UInt8] = []
            _ = editor.feed(UInt8(truncatingIfNeeded: generator.next()), echo: &echo)
            #expect(editor.buffer.count <= 64)
        }
    }
}

/// A tiny deterministic generator for the fuzz specs.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
