import Control
import HAL

/// What the console shows, published by the control side after its ticks (a `LatestValue`
/// snapshot): the console reads it and never touches the controller's objects.
public struct ConsoleView: Sendable {
    /// The controller's clock at the snapshot.
    public var time: MonotonicInstant
    /// The stow cycle's state (`await_item`, `safe_stop`, ...).
    public var stowState: String
    public var control: ControlSnapshot
    public var drives: [DriveReport]
    public var maintenance: MaintenanceStatus
    /// Injected simulator faults, active then pending (empty on hardware).
    public var simFaults: [String]

    public init(time: MonotonicInstant, stowState: String, control: ControlSnapshot, drives: [DriveReport],
                maintenance: MaintenanceStatus, simFaults: [String] = []) {
        self.time = time
        self.stowState = stowState
        self.control = control
        self.drives = drives
        self.maintenance = maintenance
        self.simFaults = simFaults
    }

    /// The prompt's state word: `SAFE-STOP` while any fault is latched or the cycle is in safe
    /// stop, `MAINTENANCE` while armed, else the stow state.
    public var promptState: String {
        if !control.faults.isEmpty || stowState == "safe_stop" { return "SAFE-STOP" }
        if maintenance.armed { return "MAINTENANCE" }
        return stowState
    }

    public var prompt: String { "stow[\(promptState)]> " }
}
