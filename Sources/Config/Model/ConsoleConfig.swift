/// The diagnostics console: where it is served and how maintenance mode behaves.
public struct ConsoleConfig: Equatable, Sendable {
    /// Serial port path the console is served on; nil = stdin/stdout only.
    public var port: String?
    public var baud: Int
    /// `arm maintenance` disarms itself after this long without a command.
    public var maintenanceTimeoutS: Double
    /// Jog speed cap in maintenance mode, as a share of each drive's speed limit.
    public var jogSpeedShare: Double
}

extension ConsoleConfig {
    static let defaults = ConsoleConfig(port: nil, baud: 115200, maintenanceTimeoutS: 120, jogSpeedShare: 0.25)

    static func read(_ node: ConfigNode) -> ConsoleConfig? {
        guard let map = node.mapping() else { return nil }
        let port = map.optional("port")?.name()
        let baud = map.optional("baud")?.int(in: 1200...4_000_000, unit: "baud") ?? defaults.baud
        let timeout = map.optional("maintenance_timeout_s")?.double(in: 5...3600, unit: "s") ?? defaults.maintenanceTimeoutS
        let share = map.optional("jog_speed_share")?.double(in: 0.01...1) ?? defaults.jogSpeedShare
        map.finish()
        return ConsoleConfig(port: port, baud: baud, maintenanceTimeoutS: timeout, jogSpeedShare: share)
    }
}
