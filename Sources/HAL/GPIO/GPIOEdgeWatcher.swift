/// Edge events from one or more input lines of one chip: the `EdgeEventSource` contract over
/// libgpiod event requests, with the kernel's timestamps and a software debounce.
///
/// Edges are logical: with `activeLow`, "rising" means the line became asserted. Timestamps are
/// the kernel's, taken in the interrupt handler, on CLOCK_MONOTONIC (Linux 5.7 and later; older
/// kernels stamp CLOCK_REALTIME). The kernel queues at most 16 events per line and drops the rest,
/// so call `waitForEdge` often enough. Requested on creation, released on `close()` or deinit.
public final class GPIOEdgeWatcher: EdgeEventSource {
    /// The watcher's name (`eoat.switches`, or the single signal's name).
    public let name: String
    /// Signal names; `EdgeEvent.line` is one of these.
    public let lineNames: [String]
    public let lines: [GPIOLine]
    private let request: GPIOLineRequest
    private var debouncer: EdgeDebouncer
    /// Accepted edges read from the kernel but not yet handed out, oldest first.
    private var pending: [EdgeEvent] = []

    /// Requests `lines` for both-edge events; `lineNames[i]` is the signal on `lines[i]`.
    /// `debounceNanoseconds` of 0 keeps every edge.
    ///
    /// The corresponding C function is `gpiod_line_request_bulk` with
    /// `GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES` (as `gpiod_line_request_both_edges_events_flags`).
    public init(
        name: String, lineNames: [String], lines: [GPIOLine], options: GPIOLineOptions = GPIOLineOptions(),
        debounceNanoseconds: UInt64 = 0
    ) throws {
        guard lineNames.count == lines.count else {
            throw HALError(device: name, cause: .invalidRequest("\(lineNames.count) names for \(lines.count) lines"))
        }
        self.name = name
        self.lineNames = lineNames
        self.lines = lines
        self.debouncer = EdgeDebouncer(lineCount: lines.count, intervalNanoseconds: debounceNanoseconds)
        let chipLines = lines.map(\.displayName).joined(separator: ", ")
        self.request = try GPIOLineRequest(
            lines: lines, kind: .bothEdgesEvents, options: options, device: "\(name) (\(chipLines))")
    }

    /// Watches one line; the event's `line` is `name`.
    public convenience init(
        name: String, line: GPIOLine, options: GPIOLineOptions = GPIOLineOptions(), debounceNanoseconds: UInt64 = 0
    ) throws {
        try self.init(
            name: name, lineNames: [name], lines: [line], options: options, debounceNanoseconds: debounceNanoseconds)
    }

    /// The debounce interval; edges closer than this to the last accepted one are dropped.
    public var debounceNanoseconds: UInt64 { debouncer.intervalNanoseconds }

    /// How many edges the debounce dropped on each line, in `lineNames` order.
    public var droppedEdgeCounts: [Int] { debouncer.droppedCounts }

    /// Waits until an accepted edge arrives or `deadline` passes (nil then). Events already queued
    /// are returned even when the deadline has passed. Edges are handed out in timestamp order.
    ///
    /// The corresponding C functions are `gpiod_line_event_wait_bulk` and
    /// `gpiod_line_event_read_multiple`.
    public func waitForEdge(until deadline: MonotonicInstant) throws -> EdgeEvent? {
        while pending.isEmpty {
            let timeout = MonotonicInstant.now().nanoseconds(until: deadline)
            let ready = try request.waitForEvents(timeoutNanoseconds: timeout)
            if ready.isEmpty {
                return nil
            }
            try readBatch(from: ready)
            if pending.isEmpty, MonotonicInstant.now() >= deadline {
                return nil  // only bounces arrived, and time is up
            }
        }
        return pending.removeFirst()
    }

    /// Reads the current logical values (`lineNames` order). The corresponding C function is
    /// `gpiod_line_get_value_bulk`.
    public func read(into values: inout [Bool]) throws {
        try request.values(into: &values)
    }

    /// Gives the lines back to the kernel. Later waits throw `.closed`.
    public func close() {
        request.release()
    }

    // MARK: - Private

    /// Reads every queued event of the ready lines, orders them by time, and keeps the ones the
    /// debounce accepts. Ordering the batch keeps edges of different lines in the order they
    /// happened, which one `waitForEdge` per line could not.
    private func readBatch(from ready: [Int]) throws {
        var batch: [(index: Int, edge: Edge, timestamp: MonotonicInstant)] = []
        for index in ready {
            for event in try request.readEvents(at: index) {
                batch.append((index, event.edge, event.timestamp))
            }
        }
        batch.sort { $0.timestamp < $1.timestamp }
        for event in batch where debouncer.accept(lineIndex: event.index, at: event.timestamp) {
            pending.append(EdgeEvent(line: lineNames[event.index], edge: event.edge, timestamp: event.timestamp))
        }
    }
}
