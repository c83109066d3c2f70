/// A digital input on a GPIO line: the `DigitalInput` contract over libgpiod.
///
/// Requested as an input with consumer "stowctl" when created, released on `close()` or deinit.
/// Values are logical: with `activeLow` the kernel inverts, so `true` always means asserted.
public final class GPIOInput: DigitalInput {
    /// The signal name from config (`eoat.plank.home`).
    public let name: String
    public let line: GPIOLine
    public let options: GPIOLineOptions
    private let request: GPIOLineRequest

    /// Requests `line` as an input. Throws `HALError` with device = `name` and the line:
    /// `.busy` naming who holds it, `.invalidRequest` for a drive option, `.errno` otherwise.
    ///
    /// The corresponding C function is `gpiod_line_request_bulk` with
    /// `GPIOD_LINE_REQUEST_DIRECTION_INPUT`.
    public init(name: String, line: GPIOLine, options: GPIOLineOptions = GPIOLineOptions()) throws {
        self.name = name
        self.line = line
        self.options = options
        self.request = try GPIOLineRequest(
            lines: [line], kind: .input, options: options, device: "\(name) (\(line.displayName))")
    }

    /// Reads the logical value. The corresponding C function is `gpiod_line_get_value`.
    public func read() throws -> Bool {
        try request.value(at: 0)
    }

    /// Gives the line back to the kernel. Later reads throw `.closed`.
    /// The corresponding C function is `gpiod_line_release_bulk`.
    public func close() {
        request.release()
    }
}
