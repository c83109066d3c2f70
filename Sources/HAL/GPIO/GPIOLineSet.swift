/// Many lines of one chip read or written in one call: the `LineSet` contract over a libgpiod bulk
/// request (one ioctl for all lines, so the values are one consistent snapshot).
///
/// libgpiod v1 takes one set of request flags per bulk request, so all lines of a set share
/// `options` (active-low, bias, drive); lines that differ belong in different sets.
/// Output sets start at their safe values and return to them on `close()` / deinit.
public final class GPIOLineSet: LineSet {
    /// Signal names, in the order of the values.
    public let names: [String]
    public let lines: [GPIOLine]
    public let direction: GPIODirection
    /// The safe value of each output, in order; empty for an input set.
    public let safeValues: [Bool]
    public let options: GPIOLineOptions
    private let request: GPIOLineRequest

    /// Requests `lines` (one chip, at most 64) as inputs; `names[i]` is the signal on `lines[i]`.
    ///
    /// The corresponding C function is `gpiod_line_request_bulk` with
    /// `GPIOD_LINE_REQUEST_DIRECTION_INPUT`.
    public init(inputs names: [String], lines: [GPIOLine], options: GPIOLineOptions = GPIOLineOptions()) throws {
        try Self.checkCounts(names: names, lines: lines, safeValues: nil)
        self.names = names
        self.lines = lines
        self.direction = .input
        self.safeValues = []
        self.options = options
        self.request = try GPIOLineRequest(
            lines: lines, kind: .input, options: options, device: Self.device(names: names, lines: lines))
    }

    /// Requests `lines` as outputs, each driven to its safe value by the request itself.
    ///
    /// The corresponding C function is `gpiod_line_request_bulk` with
    /// `GPIOD_LINE_REQUEST_DIRECTION_OUTPUT` and `safeValues` as the default values.
    public init(
        outputs names: [String], lines: [GPIOLine], safeValues: [Bool], options: GPIOLineOptions = GPIOLineOptions()
    ) throws {
        try Self.checkCounts(names: names, lines: lines, safeValues: safeValues)
        self.names = names
        self.lines = lines
        self.direction = .output
        self.safeValues = safeValues
        self.options = options
        self.request = try GPIOLineRequest(
            lines: lines, kind: .output(initialValues: safeValues), options: options,
            device: Self.device(names: names, lines: lines))
    }

    deinit {
        try? close()
    }

    /// Reads every line (for outputs: the driven values) in one call. Allocation-free.
    /// The corresponding C function is `gpiod_line_get_value_bulk`.
    public func read(into values: inout [Bool]) throws {
        try request.values(into: &values)
    }

    /// Writes every line in one call; only for output sets. Allocation-free.
    /// The corresponding C function is `gpiod_line_set_value_bulk`.
    public func write(_ values: [Bool]) throws {
        guard direction == .output else {
            throw HALError(device: request.device, cause: .invalidRequest("these lines are requested as inputs"))
        }
        try request.setValues(values)
    }

    /// Output sets: writes the safe values, then releases. Input sets: releases. The lines are
    /// released even when writing the safe values fails; that failure is then thrown.
    public func close() throws {
        guard !request.isReleased else { return }
        defer { request.release() }
        if direction == .output {
            try request.setValues(safeValues)
        }
    }

    // MARK: - Private

    private static func checkCounts(names: [String], lines: [GPIOLine], safeValues: [Bool]?) throws {
        let device = Self.device(names: names, lines: lines)
        if names.count != lines.count {
            throw HALError(device: device, cause: .invalidRequest("\(names.count) names for \(lines.count) lines"))
        }
        if let safeValues, safeValues.count != lines.count {
            throw HALError(device: device, cause: .invalidRequest(
                "\(safeValues.count) safe values for \(lines.count) lines"))
        }
    }

    /// `gpiochip0 lines 3,4 (eoat.a, eoat.b)`: chip, offsets and signals in one name for errors.
    private static func device(names: [String], lines: [GPIOLine]) -> String {
        let chip = lines.first?.chip.name ?? "gpiochip?"
        let offsets = lines.map { String($0.offset) }.joined(separator: ",")
        return "\(chip) lines \(offsets) (\(names.joined(separator: ", ")))"
    }
}
