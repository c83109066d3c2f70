import Config
import Control
import HAL

/// The controller as the console sees it: the simulated robot (`stowctl console`) implements it,
/// and so will the controller on hardware. Every member is safe to call from the console's
/// thread and returns promptly: reads are snapshots, commands go through the bounded queue.
public protocol ConsoleTarget: AnyObject, Sendable {
    var config: RobotConfig { get }
    /// `simulator` or `hardware`, shown by `status`.
    var modeName: String { get }
    /// True where `sim fault ...` works.
    var simulatesFaults: Bool { get }
    /// The newest published view.
    func view() -> ConsoleView
    /// The periodic loops, for `show loops` (statistics snapshots never block a loop).
    var loops: [PeriodicLoop] { get }
    var busSchedulers: [BusScheduler] { get }
    func realtimeReport() -> RealtimeReport
    /// Queues a request for the control side; nil when the queue is full.
    func post(_ request: ConsoleRequest) -> ConsoleTicket?
    /// The last `count` stow attempts, one line each; throws `ConsoleCommandError` saying why
    /// when there is no journal in this mode.
    func journal(last count: Int) throws -> [String]
    func setLogLevel(_ level: ConsoleLogLevel)
}

/// A command that could not be carried out; the message says what to do.
public struct ConsoleCommandError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
