import Glibc
import HAL

/// Two pipes crossed: what `ours` writes, `theirs` reads, and back. A `ByteStream` like a pty's
/// two ends, without a tty (this test needs no line settings).
final class PipePair {
    let ours: PipeByteStream
    let theirs: PipeByteStream

    init() throws {
        var toThem: [Int32] = [0, 0]
        var toUs: [Int32] = [0, 0]
        guard pipe(&toThem) == 0, pipe(&toUs) == 0 else { throw HALError(device: "pipe", cause: .errno(call: "pipe", code: errno)) }
        ours = PipeByteStream(name: "pipe-ours", readFD: toUs[0], writeFD: toThem[1])
        theirs = PipeByteStream(name: "pipe-theirs", readFD: toThem[0], writeFD: toUs[1])
    }
}

final class PipeByteStream: ByteStream, @unchecked Sendable {
    let name: String
    private let readFD: Int32
    private let writeFD: Int32
    private var closed = false

    init(name: String, readFD: Int32, writeFD: Int32) {
        self.name = name
        self.readFD = readFD
        self.writeFD = writeFD
    }

    func write(_ bytes: [UInt8], deadline: MonotonicInstant) throws {
        let written = bytes.withUnsafeBytes { Glibc.write(writeFD, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw HALError(device: name, cause: .errno(call: "write", code: errno)) }
    }

    func read(into buffer: inout [UInt8], maxCount: Int, deadline: MonotonicInstant) throws -> Int {
        guard !closed else { throw HALError(device: name, cause: .closed) }
        let now = MonotonicInstant.now()
        let waitMS = now < deadline ? Int32(clamping: (now.nanoseconds(until: deadline) + 999_999) / 1_000_000) : 0
        var descriptor = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, waitMS) > 0 else { return 0 }
        var chunk = [UInt8](repeating: 0, count: maxCount)
        let count = chunk.withUnsafeMutableBytes { Glibc.read(readFD, $0.baseAddress, $0.count) }
        guard count > 0 else { throw HALError(device: name, cause: .closed) }
        buffer += chunk[0..<count]
        return count
    }

    func discardInput() throws {}

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(readFD)
        Glibc.close(writeFD)
    }
}
