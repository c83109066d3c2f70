/// The cell link (docs/cell-link.md): the serial line to the cell controller (the PLC, arm
/// controller or warehouse gateway) that moves the arm and tells which item is at the induct.
/// Read only on `backend: linux`; the simulator has its own arm and induct.
public struct CellConfig: Equatable, Sendable {
    /// Serial port path (`/dev/ttyS1`, `/dev/serial/by-id/...`).
    public var port: String
    public var baud: Int
    /// An answer later than this makes the cell controller silent: a named fault.
    public var replyTimeoutMS: Double
    /// How often the item query (WHAT, also the heartbeat) is sent.
    public var pollMS: Double
    public var location: SourceLocation
}

extension CellConfig {
    static let defaultBaud = 115200
    static let defaultPollMS = 100.0

    static func read(_ node: ConfigNode) -> CellConfig? {
        guard let map = node.mapping() else { return nil }
        let port = map.required("port", hint: "the serial port wired to the cell controller, e.g. /dev/ttyS1")?.name()
        let baudNode = map.optional("baud")
        let baud = baudNode?.int(in: 1200...4_000_000, unit: "baud") ?? defaultBaud
        if let baudNode, !BusConfig.baudRates.contains(baud) {
            node.reader.error(at: baudNode, "\(baud) is not a standard rate",
                              hint: "use one of \(BusConfig.baudRates.map(String.init).joined(separator: ", "))")
        }
        let timeout = map.required("reply_timeout_ms")?.double(in: 5...10_000, unit: "ms")
        let pollNode = map.optional("poll_ms")
        let poll = pollNode?.double(in: 10...5_000, unit: "ms") ?? defaultPollMS
        map.finish()
        guard let port, let timeout else { return nil }
        return CellConfig(port: port, baud: baud, replyTimeoutMS: timeout, pollMS: poll,
                          location: SourceLocation(mark: node.keyMark))
    }
}
