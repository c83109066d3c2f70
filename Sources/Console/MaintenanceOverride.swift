import Config
import Control
import HAL

/// Maintenance mode: while armed, this application drives the outputs and drives as the console
/// asked, and the stow cycle it wraps is not stepped (frozen where it was: no stow starts).
/// Disarmed, it is transparent: the stow cycle runs as usual.
///
/// The safety supervisor still runs before and after it every tick, so a latched fault or the
/// e-stop overrides everything here exactly as it overrides the stow cycle. On top of that,
/// maintenance disarms itself (drives off, the stow cycle resumes) when:
/// - a fault latches or the e-stop input opens,
/// - no maintenance command came for `console.maintenance_timeout_s`.
///
/// Jogs are capped at `console.jog_speed_share` of the drive's configured speed limit, and a jog
/// toward a travel end the drive has reached stops there.
///
/// Every method runs on the control thread: `step` from the control tick, `handle` from the
/// console request queue drained between ticks.
public final class MaintenanceOverride: ControlApplication, @unchecked Sendable {
    /// The application that runs while disarmed (the stow cycle).
    public let inner: ControlApplication
    public let config: RobotConfig
    public let timeoutNanoseconds: UInt64

    public private(set) var isArmed = false
    /// Why maintenance last disarmed itself, for `status`.
    public private(set) var lastDisarmReason: String?

    private var lastCommand = MonotonicInstant(nanoseconds: 0)
    private var axes = PerDrive(all: AxisCommand())
    /// What each drive was told, for `status` (`off`, `hold`, `jog 20 mm/s`, `home`).
    private var axisLabels = PerDrive(all: "off")
    private var outputOverrides: [Int: Bool] = [:]
    private var lastInputs = EOATInputs()
    private var lastReports = PerDrive<DriveReport?>(all: nil)
    private var lastSafeStopped = true

    public init(wrapping inner: ControlApplication, config: RobotConfig) {
        self.inner = inner
        self.config = config
        timeoutNanoseconds = UInt64(config.console.maintenanceTimeoutS * 1e9)
    }

    /// Stow states in which no stow is in progress: nothing is moving for the cycle. `safe_hold`
    /// is there because clearing what fell is what maintenance is for.
    public static let armableStowStates: Set<String> = ["idle", "await_item", "safe_hold"]

    /// The fastest jog allowed for `role`, in mm/s.
    public func jogLimitMMPerS(_ role: DriveRole) -> Double {
        (config.drive(role)?.limits.maxSpeedMMPerS ?? 0) * config.console.jogSpeedShare
    }

    /// Carries out a maintenance request; nil for requests that are not about maintenance.
    /// `stowState` is the stow cycle's state now (arming needs one of `armableStowStates`).
    public func handle(_ request: ConsoleRequest, now: MonotonicInstant, stowState: String) -> ConsoleReply? {
        switch request {
        case .armMaintenance:
            if isArmed {
                lastCommand = now
                return .done("maintenance already armed; timeout restarted")
            }
            if let refusal = interlockRefusal(stowState: stowState) { return .refused(refusal) }
            arm(now: now)
            return .done("maintenance armed: set/jog/home/enable/disable allowed; disarms after "
                + "\(Int(config.console.maintenanceTimeoutS)) s without a command, or with `disarm`")
        case .disarmMaintenance:
            guard isArmed else { return .done("maintenance was not armed") }
            disarm(reason: "disarmed from the console")
            return .done("maintenance disarmed; drives off, stow cycle resumes")
        case let .set(signal, value):
            if let refusal = armedRefusal() { return .refused(refusal) }
            guard let index = EOATOutputs.signalNames.firstIndex(of: signal) else {
                return .refused("\(signal) is an input; only outputs can be set (`show pins` lists them)")
            }
            outputOverrides[index] = value
            lastCommand = now
            return .done("\(signal) held \(value)")
        case let .jog(role, velocity):
            if let refusal = armedRefusal() { return .refused(refusal) }
            let limit = jogLimitMMPerS(role)
            guard abs(velocity) <= limit else {
                return .refused("jog \(role.rawValue) \(velocity) mm/s is over the maintenance limit of \(limit) mm/s "
                    + "(console.jog_speed_share of drives.\(role.rawValue).limits.speed_mm_s); jog slower")
            }
            axes[role].run(mmPerS: velocity)
            axisLabels[role] = velocity == 0 ? "jog stopped" : "jog \(velocity) mm/s"
            lastCommand = now
            return .done("jogging \(role.rawValue) at \(velocity) mm/s; `jog \(role.rawValue) 0` stops it")
        case let .home(role):
            if let refusal = armedRefusal() { return .refused(refusal) }
            let home = config.drive(role)?.limits.travelMM?.lowerBound ?? 0
            axes[role].move(toMM: home)
            axisLabels[role] = "home (\(home) mm)"
            lastCommand = now
            return .done("moving \(role.rawValue) to its travel minimum \(home) mm")
        case let .enable(role):
            if let refusal = armedRefusal() { return .refused(refusal) }
            guard let position = lastReports[role]?.feedback?.positionMM else {
                return .refused("no feedback from \(role.rawValue) yet; check `show drives` and the bus")
            }
            axes[role].move(toMM: position)
            axisLabels[role] = "hold"
            lastCommand = now
            return .done("\(role.rawValue) enabled, holding \(position) mm")
        case let .disable(role):
            if let refusal = armedRefusal() { return .refused(refusal) }
            axes[role].powerOff()
            axisLabels[role] = "off"
            lastCommand = now
            return .done("\(role.rawValue) disabled")
        case .resetFaults, .acknowledge, .estop, .simFault, .simFaultClear:
            return nil
        }
    }

    /// Maintenance as `status` shows it.
    public func status(now: MonotonicInstant) -> MaintenanceStatus {
        guard isArmed else { return MaintenanceStatus(armed: false, lastDisarmReason: lastDisarmReason) }
        let elapsed = lastCommand.nanoseconds(until: now)
        let left = elapsed >= timeoutNanoseconds ? 0 : Double(timeoutNanoseconds - elapsed) / 1e9
        var drives: [(String, String)] = []
        for role in DriveRole.allCases { drives.append((role.rawValue, axisLabels[role])) }
        let outputs = outputOverrides.keys.sorted().map { (EOATOutputs.signalNames[$0], outputOverrides[$0]!) }
        return MaintenanceStatus(armed: true, secondsLeft: left, drives: drives, outputs: outputs, lastDisarmReason: lastDisarmReason)
    }

    public func step(
        now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool,
        outputs: inout EOATOutputs, setpoints: inout PerDrive<DriveSetpoint>
    ) {
        lastInputs = inputs
        lastReports = drives
        lastSafeStopped = safeStopped
        if isArmed {
            if safeStopped || inputs.estop {
                disarm(reason: inputs.estop ? "e-stop opened" : "a safety fault latched (see show faults)")
            } else if lastCommand.nanoseconds(until: now) > timeoutNanoseconds {
                disarm(reason: "no maintenance command for \(Int(config.console.maintenanceTimeoutS)) s")
            }
        }
        guard isArmed else {
            inner.step(now: now, inputs: inputs, drives: drives, safeStopped: safeStopped, outputs: &outputs, setpoints: &setpoints)
            return
        }
        outputs = EOATOutputs()
        outputs.driveEnable = true
        outputs.towerLightRed = false
        outputs.towerLightAmber = true
        for (index, value) in outputOverrides { outputs[index] = value }
        for role in DriveRole.allCases {
            stopAtTravelEnd(role, feedback: drives[role]?.feedback)
            setpoints[role] = axes[role].setpoint(feedback: drives[role]?.feedback, now: now)
        }
    }

    // MARK: - Private helpers

    private func interlockRefusal(stowState: String) -> String? {
        if lastInputs.estop { return "the e-stop is open; close it, then `reset faults`" }
        if lastSafeStopped { return "faults are latched or being reset; see `show faults`, then `reset faults`" }
        guard Self.armableStowStates.contains(stowState) else {
            return "a stow is in progress (state \(stowState)); wait for await_item (or safe_hold) and try again"
        }
        return nil
    }

    private func armedRefusal() -> String? {
        isArmed ? nil : "maintenance is not armed; type `arm maintenance` first (needs no stow in progress and no faults)"
    }

    private func arm(now: MonotonicInstant) {
        isArmed = true
        lastCommand = now
        lastDisarmReason = nil
        axes = PerDrive(all: AxisCommand())
        axisLabels = PerDrive(all: "off")
        outputOverrides = [:]
    }

    private func disarm(reason: String) {
        isArmed = false
        lastDisarmReason = reason
        axes = PerDrive(all: AxisCommand())
        axisLabels = PerDrive(all: "off")
        outputOverrides = [:]
    }

    /// A jog toward a travel end the axis has reached becomes a stop there.
    private func stopAtTravelEnd(_ role: DriveRole, feedback: DriveFeedback?) {
        guard case let .velocity(velocity) = axes[role].motion, velocity != 0,
              let travel = config.drive(role)?.limits.travelMM, let position = feedback?.positionMM else { return }
        if (velocity > 0 && position >= travel.upperBound) || (velocity < 0 && position <= travel.lowerBound) {
            axes[role].run(mmPerS: 0)
            axisLabels[role] = "jog stopped at travel end"
        }
    }
}

/// Maintenance mode as the console shows it.
public struct MaintenanceStatus: Equatable, Sendable {
    public var armed: Bool
    /// Until the idle timeout disarms it.
    public var secondsLeft: Double
    /// Each drive role and what it was told.
    public var drives: [(String, String)]
    /// Outputs held by `set`.
    public var outputs: [(String, Bool)]
    public var lastDisarmReason: String?

    public init(armed: Bool, secondsLeft: Double = 0, drives: [(String, String)] = [], outputs: [(String, Bool)] = [],
                lastDisarmReason: String? = nil) {
        self.armed = armed
        self.secondsLeft = secondsLeft
        self.drives = drives
        self.outputs = outputs
        self.lastDisarmReason = lastDisarmReason
    }

    public static func == (lhs: MaintenanceStatus, rhs: MaintenanceStatus) -> Bool {
        lhs.armed == rhs.armed && lhs.secondsLeft == rhs.secondsLeft && lhs.lastDisarmReason == rhs.lastDisarmReason
            && lhs.drives.map { $0.0 + $0.1 } == rhs.drives.map { $0.0 + $0.1 }
            && lhs.outputs.map { "\($0.0)\($0.1)" } == rhs.outputs.map { "\($0.0)\($0.1)" }
    }
}
