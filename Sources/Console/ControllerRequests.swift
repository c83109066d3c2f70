import Control
import HAL

/// The console requests every controller answers the same way, simulated or on hardware:
/// maintenance, reset faults, acknowledge, operator stop.
///
/// Call `answer` only on the thread that runs the control loop (between slices in simulation,
/// inside the control tick on hardware): it touches the supervisor, the stow cycle and the
/// maintenance override, which that thread owns.
public struct ControllerRequests {
    /// The controller's supervisor, not the controller: on hardware these requests live in the
    /// `ConsoleGate`, the controller's own application, and holding the controller from there
    /// was a reference cycle that kept the whole controller alive (LeakSanitizer, `make test-asan`).
    public let supervisor: SafetySupervisor
    public let machine: StowMachine
    public let maintenance: MaintenanceOverride

    public init(controller: Controller, machine: StowMachine, maintenance: MaintenanceOverride) {
        supervisor = controller.controlLoop.supervisor
        self.machine = machine
        self.maintenance = maintenance
    }

    /// The reply, or nil for a request only the simulator can answer (`sim fault ...`).
    public func answer(_ request: ConsoleRequest, now: MonotonicInstant) -> ConsoleReply? {
        if let reply = maintenance.handle(request, now: now, stowState: machine.state.rawValue) { return reply }
        switch request {
        case .resetFaults:
            let faults = supervisor.faults.count
            supervisor.requestReset(now: now)
            machine.requestReset()
            return .done("reset requested (\(faults) latched); drives get a fault reset for 300 ms, then anything still wrong "
                + "latches again: check `show faults`")
        case .acknowledge:
            guard machine.state == .safeHold else {
                return .refused("the stow cycle is not in safe_hold (it is in \(machine.state.rawValue)); nothing to acknowledge")
            }
            machine.acknowledge()
            return .done("acknowledged: the stow cycle leaves safe_hold")
        case .estop:
            supervisor.latch(.operatorStop, "console", "operator stop from the console", hint: "reset faults when it is safe", now: now)
            return .done("operator stop latched: drives quick-stopped, drive enable off; `reset faults` when it is safe")
        case .simFault, .simFaultClear:
            return nil
        case .armMaintenance, .disarmMaintenance, .set, .jog, .home, .enable, .disable:
            return .refused("maintenance did not take this request; report it as a bug")
        }
    }
}
