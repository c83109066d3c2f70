import Config
import Control
import HAL

/// The outermost control application on hardware. The control loop runs on its own (real-time)
/// thread, which alone may touch the supervisor, the stow cycle and the maintenance override; so
/// the console's requests are answered here, inside the tick, before the wrapped application
/// steps. With nothing queued that costs one try-lock (never a wait) and no allocation.
///
/// It also publishes the maintenance override's status for the console's view, which other
/// threads may not read directly: after any request, and at 10 Hz while maintenance is armed
/// (a maintenance session is not the stow cycle's steady state, so it may allocate then).
public final class ConsoleGate: ControlApplication {
    public static let statusPeriodNanoseconds: UInt64 = 100_000_000

    public let wrapped: ControlApplication
    public let queue: ConsoleRequestQueue
    public let maintenance: MaintenanceOverride
    /// Set once the controller exists (the requests need its supervisor), before the first tick.
    public var requests: ControllerRequests?
    public let maintenanceStatus: LatestValue<MaintenanceStatus>
    private var wasArmed = false
    private var nextStatusAt = MonotonicInstant(nanoseconds: 0)

    public init(wrapping wrapped: ControlApplication, queue: ConsoleRequestQueue, maintenance: MaintenanceOverride) {
        self.wrapped = wrapped
        self.queue = queue
        self.maintenance = maintenance
        maintenanceStatus = LatestValue(MaintenanceStatus(armed: false))
    }

    public func step(
        now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool,
        outputs: inout EOATOutputs, setpoints: inout PerDrive<DriveSetpoint>
    ) {
        var answered = false
        if let requests {
            queue.drainIfAvailable { request in
                answered = true
                return requests.answer(request, now: now)
                    ?? .refused("`\(request)` needs the simulator (stowctl console); this controller drives hardware")
            }
        }
        wrapped.step(now: now, inputs: inputs, drives: drives, safeStopped: safeStopped, outputs: &outputs, setpoints: &setpoints)
        let armed = maintenance.isArmed
        if answered || armed != wasArmed || (armed && now >= nextStatusAt) {
            maintenanceStatus.publish(maintenance.status(now: now))
            nextStatusAt = now.adding(nanoseconds: Self.statusPeriodNanoseconds)
            wasArmed = armed
        }
    }
}
