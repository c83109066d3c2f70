import CGPIOD
import Glibc

/// Lines of one chip requested together from the kernel: one libgpiod v1 bulk request.
///
/// The one place that requests, reads, writes and releases lines. `GPIOInput`, `GPIOOutput`,
/// `GPIOLineSet` and `GPIOEdgeWatcher` each hold one of these and add what their contract means
/// (signal names, safe values, debounce). A single line is a bulk of one, so there is one code path.
///
/// The corresponding C type is `struct gpiod_line_bulk`; released on `release()` or deinit.
final class GPIOLineRequest {
    enum Kind {
        case input
        /// Output, driven to `initialValues` (logical) by the request itself, so the line never
        /// shows a value other than the safe one between request and first write.
        case output(initialValues: [Bool])
        /// Input that queues a kernel-timestamped event on every edge.
        case bothEdgesEvents
    }

    let lines: [GPIOLine]
    /// Names the request in errors: a signal name and its line, or the chip and offsets.
    let device: String
    private var bulk = gpiod_line_bulk()
    private var scratch: [Int32]
    /// True until the kernel grants the request, so a failed request is never released.
    private(set) var isReleased = true

    /// Requests `lines` (all on one chip, at most 64, no line twice) with consumer "stowctl".
    ///
    /// Throws `.busy` naming the line and its consumer when someone holds one (EBUSY),
    /// `.invalidRequest` for a request the kernel would reject, `.errno` otherwise.
    /// The corresponding C function is `gpiod_line_request_bulk`.
    init(lines: [GPIOLine], kind: Kind, options: GPIOLineOptions, device: String) throws {
        self.lines = lines
        self.device = device
        self.scratch = Array(repeating: 0, count: lines.count)
        try Self.validate(lines: lines, kind: kind, options: options, device: device)

        for line in lines {
            gpiod_line_bulk_add(&bulk, line.handle)
        }
        var config = gpiod_line_request_config()
        config.flags = options.requestFlags
        switch kind {
        case .input: config.request_type = Int32(GPIOD_LINE_REQUEST_DIRECTION_INPUT)
        case .output: config.request_type = Int32(GPIOD_LINE_REQUEST_DIRECTION_OUTPUT)
        case .bothEdgesEvents: config.request_type = Int32(GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES)
        }
        if case let .output(initialValues) = kind {
            for (index, value) in initialValues.enumerated() {
                scratch[index] = value ? 1 : 0
            }
        }
        let result = GPIOChip.consumer.withCString { consumer in
            config.consumer = consumer
            return scratch.withUnsafeBufferPointer { gpiod_line_request_bulk(&bulk, &config, $0.baseAddress) }
        }
        if result != 0 {
            throw requestError(code: errno)
        }
        isReleased = false
    }

    deinit {
        release()
    }

    /// Reads one line's logical value. The corresponding C function is `gpiod_line_get_value`.
    func value(at index: Int) throws -> Bool {
        try checkOpen()
        let value = gpiod_line_get_value(lines[index].handle)
        if value < 0 {
            throw HALError(device: device, cause: .errno(call: "gpiod_line_get_value", code: errno))
        }
        return value == 1
    }

    /// Sets one line's logical value. The corresponding C function is `gpiod_line_set_value`.
    func setValue(_ value: Bool, at index: Int) throws {
        try checkOpen()
        if gpiod_line_set_value(lines[index].handle, value ? 1 : 0) != 0 {
            throw HALError(device: device, cause: .errno(call: "gpiod_line_set_value", code: errno))
        }
    }

    /// Reads every line in one ioctl into `values` (`lines.count` elements). Allocation-free.
    /// The corresponding C function is `gpiod_line_get_value_bulk`.
    func values(into values: inout [Bool]) throws {
        try checkOpen()
        guard values.count == lines.count else {
            throw HALError(device: device, cause: .invalidRequest(
                "read into \(values.count) values, but \(lines.count) lines are requested"))
        }
        let result = scratch.withUnsafeMutableBufferPointer { gpiod_line_get_value_bulk(&bulk, $0.baseAddress) }
        if result != 0 {
            throw HALError(device: device, cause: .errno(call: "gpiod_line_get_value_bulk", code: errno))
        }
        for index in 0..<lines.count {
            values[index] = scratch[index] != 0
        }
    }

    /// Sets every line in one ioctl. Allocation-free.
    /// The corresponding C function is `gpiod_line_set_value_bulk`.
    func setValues(_ values: [Bool]) throws {
        try checkOpen()
        guard values.count == lines.count else {
            throw HALError(device: device, cause: .invalidRequest(
                "wrote \(values.count) values, but \(lines.count) lines are requested"))
        }
        for index in 0..<lines.count {
            scratch[index] = values[index] ? 1 : 0
        }
        let result = scratch.withUnsafeBufferPointer { gpiod_line_set_value_bulk(&bulk, $0.baseAddress) }
        if result != 0 {
            throw HALError(device: device, cause: .errno(call: "gpiod_line_set_value_bulk", code: errno))
        }
    }

    /// Waits up to `timeoutNanoseconds` (0: just look) for an edge event on any line; returns the
    /// indices of lines with events queued, empty on timeout. Retries when a signal interrupts it.
    ///
    /// The corresponding C function is `gpiod_line_event_wait_bulk`.
    func waitForEvents(timeoutNanoseconds: UInt64) throws -> [Int] {
        try checkOpen()
        let deadline = MonotonicInstant.now().adding(nanoseconds: timeoutNanoseconds)
        var remaining = timeoutNanoseconds
        while true {
            var timeout = timespec(
                tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            var ready = gpiod_line_bulk()
            let result = gpiod_line_event_wait_bulk(&bulk, &timeout, &ready)
            if result == 0 {
                return []
            }
            if result < 0 {
                let code = errno
                guard code == EINTR else {
                    throw HALError(device: device, cause: .errno(call: "gpiod_line_event_wait_bulk", code: code))
                }
                remaining = MonotonicInstant.now().nanoseconds(until: deadline)
                continue
            }
            var indices: [Int] = []
            for readyIndex in 0..<gpiod_line_bulk_num_lines(&ready) {
                let handle = gpiod_line_bulk_get_line(&ready, readyIndex)
                if let index = lines.firstIndex(where: { $0.handle == handle }) {
                    indices.append(index)
                }
            }
            return indices
        }
    }

    /// Reads the events queued on one line (the kernel queues up to 16 per line and drops the
    /// rest). Call only for a line `waitForEvents` reported, or it blocks until an edge comes.
    ///
    /// The corresponding C function is `gpiod_line_event_read_multiple`.
    func readEvents(at index: Int) throws -> [(edge: Edge, timestamp: MonotonicInstant)] {
        try checkOpen()
        var events = [gpiod_line_event](repeating: gpiod_line_event(), count: 16)
        let count = events.withUnsafeMutableBufferPointer {
            gpiod_line_event_read_multiple(lines[index].handle, $0.baseAddress, UInt32($0.count))
        }
        if count < 0 {
            throw HALError(device: device, cause: .errno(call: "gpiod_line_event_read_multiple", code: errno))
        }
        return events.prefix(Int(count)).map { event in
            let nanoseconds = UInt64(event.ts.tv_sec) * 1_000_000_000 + UInt64(event.ts.tv_nsec)
            let edge: Edge = Int(event.event_type) == GPIOD_LINE_EVENT_RISING_EDGE ? .rising : .falling
            return (edge, MonotonicInstant(nanoseconds: nanoseconds))
        }
    }

    /// Gives the lines back to the kernel. Safe to call twice.
    /// The corresponding C function is `gpiod_line_release_bulk`.
    func release() {
        guard !isReleased else { return }
        isReleased = true
        gpiod_line_release_bulk(&bulk)
    }

    // MARK: - Private

    private func checkOpen() throws {
        if isReleased {
            throw HALError(device: device, cause: .closed)
        }
    }

    /// Turns a failed request into an error that says which line and, for EBUSY, who holds it.
    private func requestError(code: Int32) -> HALError {
        if code == EBUSY {
            for line in lines {
                if let consumer = line.currentConsumer() {
                    return HALError(device: device, cause: .busy("\(line.displayName) (consumer \"\(consumer)\")"))
                }
            }
            let names = lines.map(\.displayName).joined(separator: ", ")
            return HALError(device: device, cause: .busy(names))
        }
        return HALError(device: device, cause: .errno(call: "gpiod_line_request_bulk", code: code))
    }

    /// Catches what the kernel would reject with a bare EINVAL, with a message that says why.
    private static func validate(lines: [GPIOLine], kind: Kind, options: GPIOLineOptions, device: String) throws {
        guard !lines.isEmpty else {
            throw HALError(device: device, cause: .invalidRequest("no lines to request"))
        }
        guard lines.count <= Int(GPIOD_LINE_BULK_MAX_LINES) else {
            throw HALError(device: device, cause: .invalidRequest(
                "\(lines.count) lines in one request; libgpiod takes at most \(GPIOD_LINE_BULK_MAX_LINES)"))
        }
        let chip = lines[0].chip
        for line in lines where line.chip !== chip {
            throw HALError(device: device, cause: .invalidRequest(
                "\(line.displayName) is not on \(chip.name); one request takes lines of one chip"))
        }
        var seen = Set<Int>()
        for line in lines where !seen.insert(line.offset).inserted {
            throw HALError(device: device, cause: .invalidRequest("\(line.displayName) is listed twice"))
        }
        switch kind {
        case .input, .bothEdgesEvents:
            if options.drive != .pushPull {
                throw HALError(device: device, cause: .invalidRequest(
                    "drive \(options.drive.rawValue) applies to outputs only; inputs take push-pull (no drive)"))
            }
        case let .output(initialValues):
            if initialValues.count != lines.count {
                throw HALError(device: device, cause: .invalidRequest(
                    "\(initialValues.count) initial values for \(lines.count) output lines"))
            }
        }
    }
}
