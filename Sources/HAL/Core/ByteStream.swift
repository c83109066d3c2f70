/// A bidirectional byte stream with deadlines: a UART, a USB serial adapter, a pseudo-terminal.
///
/// Like embedded-io's `Read`/`Write`, but every call carries the caller's deadline, because a bus
/// master must never wait longer than its cycle allows. Implementations hold no clock of their own.
public protocol ByteStream: AnyObject {
    /// The port, as named in config or on the command line (`/dev/ttyUSB0`, `bus0`).
    var name: String { get }

    /// Writes all of `bytes`, or throws `HALError` (`.timeout` if the deadline passes first).
    func write(_ bytes: [UInt8], deadline: MonotonicInstant) throws

    /// Reads at most `maxCount` bytes, appending them to `buffer`. Waits for at least one byte or
    /// the deadline; returns how many bytes were appended (0 means the deadline passed).
    /// Throws `HALError` on I/O errors or when the port went away.
    func read(into buffer: inout [UInt8], maxCount: Int, deadline: MonotonicInstant) throws -> Int

    /// Discards whatever has been received and not read yet (stale replies, line noise).
    func discardInput() throws

    /// Releases the port. Further calls throw `HALError` with cause `.closed`.
    func close()
}
