import Config
import Console
import Control
import HAL
import Logging

/// The controller on hardware as the console sees it: requests go through the queue the
/// `ConsoleGate` drains in the control tick; the view is what the service loop last published.
extension HardwareRobot: ConsoleTarget {
    var modeName: String { "hardware" }
    var simulatesFaults: Bool { false }
    var loops: [PeriodicLoop] { [controller.control] + controller.busLoops + [perception, service] }
    var busSchedulers: [BusScheduler] { controller.busSchedulers }

    func view() -> ConsoleView { publishedView.read() }

    func realtimeReport() -> RealtimeReport { RealtimeReport.capture(executor: realtimeStatus) }

    func post(_ request: ConsoleRequest) -> ConsoleTicket? { queue.post(request) }

    func journal(last count: Int) throws -> [String] { recorder.lines(last: count) }

    /// On the controller `log LEVEL` sets the level of the whole process (every logger).
    func setLogLevel(_ level: ConsoleLogLevel) {
        StderrLogHandler.setProcessLevel(Logger.Level(rawValue: level.rawValue) ?? .info)
    }
}
