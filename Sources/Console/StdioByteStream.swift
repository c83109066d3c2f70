// stdin/stdout as a `ByteStream`, so `stowctl console` without --port runs the same session code
// as a serial port. Written by hand over Glibc (`poll`, `read`, `write`, termios): a few calls,
// and swift-system has neither poll nor termios.
import Glibc
import HAL

/// Reads stdin and writes stdout with deadlines. When stdin is a terminal, `makeRaw()` turns off
/// the kernel's line editing and echo (the console's line editor does both) and ctrl-C as a
/// signal (it cancels the line instead); `restore()` puts the terminal back.
public final class StdioByteStream: ByteStream {
    public let name = "stdio"
    private let input: Int32 = 0
    private let output: Int32 = 1
    private var saved: termios?
    private var closed = false

    public init() {}

    /// True when stdin is a terminal (not a pipe or file).
    public var inputIsTerminal: Bool { isatty(input) == 1 }

    /// Raw input on a terminal: no canonical mode, no echo, no signals from ctrl-C.
    /// Output processing stays on. The corresponding C functions are `tcgetattr` and `tcsetattr`.
    public func makeRaw() {
        guard inputIsTerminal, saved == nil else { return }
        var settings = termios()
        guard tcgetattr(input, &settings) == 0 else { return }
        saved = settings
        settings.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        settings.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR | IGNCR)
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(input, TCSANOW, &settings)
    }

    /// Puts the terminal back as `makeRaw()` found it. Safe to call twice.
    public func restore() {
        guard var settings = saved else { return }
        tcsetattr(input, TCSANOW, &settings)
        saved = nil
    }

    public func write(_ bytes: [UInt8], deadline: MonotonicInstant) throws {
        guard !closed else { throw HALError(device: name, cause: .closed) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in Glibc.write(output, raw.baseAddress! + offset, bytes.count - offset) }
            if written > 0 {
                offset += written
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN {
                guard try waitFor(output, events: Int16(POLLOUT), deadline: deadline) else {
                    throw HALError(device: name, cause: .timeout)
                }
                continue
            }
            throw HALError(device: name, cause: code == EPIPE ? .closed : .errno(call: "write", code: code))
        }
    }

    public func read(into buffer: inout [UInt8], maxCount: Int, deadline: MonotonicInstant) throws -> Int {
        guard !closed else { throw HALError(device: name, cause: .closed) }
        guard maxCount > 0, try waitFor(input, events: Int16(POLLIN), deadline: deadline) else { return 0 }
        var chunk = [UInt8](repeating: 0, count: maxCount)
        while true {
            let received = chunk.withUnsafeMutableBytes { raw in Glibc.read(input, raw.baseAddress!, maxCount) }
            if received > 0 {
                buffer.append(contentsOf: chunk[0..<received])
                return received
            }
            if received == 0 { throw HALError(device: name, cause: .closed) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN { return 0 }
            throw HALError(device: name, cause: .errno(call: "read", code: code))
        }
    }

    public func discardInput() throws {
        if inputIsTerminal { tcflush(input, TCIFLUSH) }
    }

    public func close() {
        restore()
        closed = true
    }

    /// True when `fd` is ready (or hung up: the following read or write reports it).
    /// The corresponding C function is `poll`.
    private func waitFor(_ fd: Int32, events: Int16, deadline: MonotonicInstant) throws -> Bool {
        while true {
            let now = MonotonicInstant.now()
            let milliseconds = now >= deadline ? 0 : Int32(min(now.nanoseconds(until: deadline) / 1_000_000 + 1, 60_000))
            var request = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&request, 1, milliseconds)
            if ready > 0 { return true }
            if ready == 0 { return false }
            if errno == EINTR { continue }
            throw HALError(device: name, cause: .errno(call: "poll", code: errno))
        }
    }
}
