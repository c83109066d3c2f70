/// A digital output on a GPIO line: the `DigitalOutput` contract over libgpiod.
///
/// The safe value is where the line starts and ends: the request itself drives it (so the pin never
/// shows anything else between request and first write), and `close()` / deinit write it again
/// before releasing. After release the kernel keeps the line an output at that level on most
/// drivers, but nothing owns it any more.
public final class GPIOOutput: DigitalOutput {
    /// The signal name from config (`eoat.drive-enable`).
    public let name: String
    public let safeValue: Bool
    public let line: GPIOLine
    public let options: GPIOLineOptions
    private let request: GPIOLineRequest

    /// Requests `line` as an output driven to `safeValue` (logical). Throws `HALError` with device
    /// = `name` and the line: `.busy` naming who holds it, `.errno` otherwise.
    ///
    /// The corresponding C function is `gpiod_line_request_bulk` with
    /// `GPIOD_LINE_REQUEST_DIRECTION_OUTPUT` and `safeValue` as the default value.
    public init(name: String, line: GPIOLine, safeValue: Bool, options: GPIOLineOptions = GPIOLineOptions()) throws {
        self.name = name
        self.safeValue = safeValue
        self.line = line
        self.options = options
        self.request = try GPIOLineRequest(
            lines: [line], kind: .output(initialValues: [safeValue]), options: options,
            device: "\(name) (\(line.displayName))")
    }

    deinit {
        try? close()
    }

    /// Sets the logical value. The corresponding C function is `gpiod_line_set_value`.
    public func write(_ value: Bool) throws {
        try request.setValue(value, at: 0)
    }

    /// Reads back the value this process drives. The corresponding C function is
    /// `gpiod_line_get_value`.
    public func readBack() throws -> Bool {
        try request.value(at: 0)
    }

    /// Writes the safe value, then gives the line back to the kernel; later writes throw `.closed`.
    /// The line is released even when writing the safe value fails; that failure is then thrown.
    public func close() throws {
        guard !request.isReleased else { return }
        defer { request.release() }
        try request.setValue(safeValue, at: 0)
    }
}
