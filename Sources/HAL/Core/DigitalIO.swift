/// Digital line contracts, in the spirit of embedded-hal's `InputPin` / `OutputPin`.
///
/// Values are *logical*: `true` means asserted. Active-low wiring (the e-stop chain, for example)
/// is handled by the backend from config, so the controller never inverts a line by hand.

/// One input line.
public protocol DigitalInput: AnyObject {
    /// The signal name from config (`eoat.plank.home`).
    var name: String { get }
    /// Reads the logical value. Throws `HALError`.
    func read() throws -> Bool
}

/// One output line.
public protocol DigitalOutput: AnyObject {
    /// The signal name from config (`eoat.drive-enable`).
    var name: String { get }
    /// The value this output takes when requested, when released, and whenever safety demands it.
    var safeValue: Bool { get }
    /// Sets the logical value. Throws `HALError`.
    func write(_ value: Bool) throws
}

/// Many lines of one chip, read or written in one call (one ioctl on hardware).
public protocol LineSet: AnyObject {
    /// Signal names, in the order of the values below.
    var names: [String] { get }
    /// Reads every line into `values` (which must hold `names.count` elements). Throws `HALError`.
    func read(into values: inout [Bool]) throws
    /// Writes every line; only valid when all lines are outputs. Throws `HALError`.
    func write(_ values: [Bool]) throws
}

/// Which way a line changed.
public enum Edge: String, Sendable {
    case rising
    case falling
}

/// One edge, stamped by the kernel (or the simulator) when it happened.
public struct EdgeEvent: Equatable, Sendable {
    public var line: String
    public var edge: Edge
    /// When the edge happened, on CLOCK_MONOTONIC (the kernel's event timestamp on hardware).
    public var timestamp: MonotonicInstant

    public init(line: String, edge: Edge, timestamp: MonotonicInstant) {
        self.line = line
        self.edge = edge
        self.timestamp = timestamp
    }
}

/// A line that reports edges.
public protocol EdgeEventSource: AnyObject {
    var name: String { get }
    /// Waits until an edge arrives or `deadline` passes; returns nil at the deadline.
    /// Throws `HALError`.
    func waitForEdge(until deadline: MonotonicInstant) throws -> EdgeEvent?
}
