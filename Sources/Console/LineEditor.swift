// The console's line editor: bytes in, an echo and finished lines out.
//
// Written by hand: libedit and readline want a tty file descriptor and own the terminal, while the
// console reads a `ByteStream` (a UART, a pty, stdin) with deadlines and must survive line noise.
// What a VT100-compatible terminal (picocom, minicom, screen, a terminal emulator) sends is small:
// printable ASCII, CR or LF, backspace or DEL, ctrl-C, ctrl-U, ctrl-D and `ESC [ A`/`ESC [ B`.

/// Turns the bytes a terminal sends into edited lines, and says what to echo back.
///
/// Pure and deterministic: no I/O, no clock. Anything that is not printable ASCII or a known
/// control key (other control bytes, bytes ≥ 0x80, unknown escape sequences) is dropped and
/// counted in `ignoredBytes`, so garbage and binary floods cannot corrupt the line or the screen.
public struct LineEditor: Sendable {
    /// What one byte finished.
    public enum Outcome: Equatable, Sendable {
        /// Enter: the line as typed (may be empty).
        case line(String)
        /// Ctrl-C: the line was thrown away.
        case cancelled
        /// Enter after more than `maxLineBytes` were typed: the line was thrown away.
        case tooLong(maxLineBytes: Int)
        /// Ctrl-D on an empty line: the person at the other end is done (stdin sessions end).
        case endOfInput
    }

    /// Longest line kept; typing past it rings the bell and the line is refused at Enter.
    public let maxLineBytes: Int
    /// Lines kept for up/down recall, oldest dropped first.
    public let historyLimit: Int
    /// Printed before the line on redraws (ctrl-U, history recall). The session sets it.
    public var prompt: String = ""
    /// The line being typed.
    public private(set) var buffer: [UInt8] = []
    /// Previous lines, oldest first.
    public private(set) var history: [String] = []
    /// Bytes dropped as neither printable nor a known key.
    public private(set) var ignoredBytes: UInt64 = 0

    private var overflowed = false
    private var escape = EscapeState.none
    /// Index into `history` while recalling; nil when editing a fresh line.
    private var recallIndex: Int?
    /// The fresh line put aside while recalling, restored by moving past the newest entry.
    private var draft: [UInt8] = []
    private var lastWasCarriageReturn = false

    private enum EscapeState: Sendable {
        case none
        /// After ESC.
        case escape
        /// After `ESC [` or `ESC O`: parameters until a final byte (0x40...0x7E).
        case sequence
    }

    public init(maxLineBytes: Int = 256, historyLimit: Int = 50) {
        self.maxLineBytes = max(1, maxLineBytes)
        self.historyLimit = max(0, historyLimit)
    }

    /// Feeds one byte; appends what the terminal should show to `echo`.
    /// Returns an outcome when the byte ended the line.
    public mutating func feed(_ byte: UInt8, echo: inout [UInt8]) -> Outcome? {
        let afterCarriageReturn = lastWasCarriageReturn
        lastWasCarriageReturn = byte == 0x0D
        // A control byte inside an escape sequence aborts the sequence and acts as itself
        // (as on a VT100), so ctrl-C or Enter always work after line noise.
        if escape != .none && byte < 0x20 {
            escape = .none
            ignoredBytes += 1
        }
        switch escape {
        case .escape:
            escape = (byte == UInt8(ascii: "[") || byte == UInt8(ascii: "O")) ? .sequence : .none
            if escape == .none { ignoredBytes += 1 }
            return nil
        case .sequence:
            if (0x40...0x7E).contains(byte) {
                escape = .none
                if byte == UInt8(ascii: "A") { recall(older: true, echo: &echo) }
                else if byte == UInt8(ascii: "B") { recall(older: false, echo: &echo) }
                else { ignoredBytes += 1 }
            } else if !(0x20...0x3F).contains(byte) {
                // DEL or a byte ≥ 0x80: the sequence was garbage; drop it.
                escape = .none
                ignoredBytes += 1
            }
            return nil
        case .none:
            break
        }
        switch byte {
        case 0x20...0x7E:
            if buffer.count < maxLineBytes {
                buffer.append(byte)
                echo.append(byte)
            } else {
                if !overflowed { echo.append(0x07) }
                overflowed = true
            }
            return nil
        case 0x0D, 0x0A:
            // CR LF (or LF after CR) is one Enter, not two.
            if byte == 0x0A && afterCarriageReturn { return nil }
            echo.append(contentsOf: [0x0D, 0x0A])
            return finishLine()
        case 0x08, 0x7F:
            if !buffer.isEmpty {
                buffer.removeLast()
                echo.append(contentsOf: [0x08, 0x20, 0x08])
            }
            return nil
        case 0x03:
            echo.append(contentsOf: Array("^C\r\n".utf8))
            clearLine()
            return .cancelled
        case 0x15:
            buffer.removeAll()
            overflowed = false
            redraw(echo: &echo)
            return nil
        case 0x04:
            if buffer.isEmpty { return .endOfInput }
            ignoredBytes += 1
            return nil
        case 0x1B:
            escape = .escape
            return nil
        default:
            ignoredBytes += 1
            return nil
        }
    }

    /// Feeds several bytes; returns every outcome in order.
    public mutating func feed(_ bytes: [UInt8], echo: inout [UInt8]) -> [Outcome] {
        var outcomes: [Outcome] = []
        for byte in bytes {
            if let outcome = feed(byte, echo: &echo) { outcomes.append(outcome) }
        }
        return outcomes
    }

    // MARK: - Private helpers

    private mutating func finishLine() -> Outcome {
        defer { clearLine() }
        if overflowed { return .tooLong(maxLineBytes: maxLineBytes) }
        let line = String(decoding: buffer, as: UTF8.self)
        remember(line)
        return .line(line)
    }

    private mutating func clearLine() {
        buffer.removeAll()
        overflowed = false
        recallIndex = nil
        draft.removeAll()
    }

    private mutating func remember(_ line: String) {
        let blank = !line.contains { $0 != " " }
        guard historyLimit > 0, !blank, history.last != line else { return }
        history.append(line)
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
    }

    private mutating func recall(older: Bool, echo: inout [UInt8]) {
        guard !history.isEmpty else { return }
        if older {
            if let index = recallIndex {
                guard index > 0 else { return }
                recallIndex = index - 1
            } else {
                draft = buffer
                recallIndex = history.count - 1
            }
        } else {
            guard let index = recallIndex else { return }
            recallIndex = index + 1 < history.count ? index + 1 : nil
        }
        if let index = recallIndex {
            buffer = Array(history[index].utf8.prefix(maxLineBytes))
        } else {
            buffer = draft
        }
        overflowed = false
        redraw(echo: &echo)
    }

    /// Carriage return, erase to end of line, prompt and line again.
    private func redraw(echo: inout [UInt8]) {
        echo.append(contentsOf: [0x0D, 0x1B, UInt8(ascii: "["), UInt8(ascii: "K")])
        echo.append(contentsOf: Array(prompt.utf8))
        echo.append(contentsOf: buffer)
    }
}
