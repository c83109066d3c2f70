import Config
import HAL

/// What the controller does with the EOAT when it is not in a safe stop: the stow state machine,
/// or a maintenance jog. Called every control tick after the safety supervisor has checked the
/// inputs, and overridden by it afterwards. Must not allocate, lock or wait.
public protocol ControlApplication: AnyObject {
    func step(
        now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool,
        outputs: inout EOATOutputs, setpoints: inout PerDrive<DriveSetpoint>)
}

/// Powers the EOAT and holds it: drives enabled and holding position, arm interlock off, green
/// light. What runs until the stow state machine takes over, and what tests tick.
public final class HoldApplication: ControlApplication {
    public init() {}

    public func step(
        now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool,
        outputs: inout EOATOutputs, setpoints: inout PerDrive<DriveSetpoint>
    ) {
        outputs = EOATOutputs()
        outputs.driveEnable = true
        outputs.towerLightRed = false
        outputs.towerLightGreen = true
        setpoints.jaw = Self.hold(drives.jaw?.feedback)
        setpoints.leftBelt = Self.hold(drives.leftBelt?.feedback)
        setpoints.rightBelt = Self.hold(drives.rightBelt?.feedback)
        setpoints.plank = Self.hold(drives.plank?.feedback)
    }

    /// Walk the CiA 402 state machine toward operation enabled and hold the present position.
    static func hold(_ feedback: DriveFeedback?) -> DriveSetpoint {
        guard let feedback, let state = CiA402State(statusword: feedback.statusword) else { return .disabled }
        let word: CiA402Controlword
        switch CiA402Controlword.next(from: state, toward: .operationEnabled) {
        case let .send(next): word = next
        case .arrived: word = .enableOperation
        case .wait, .blockedByFault: return .disabled
        }
        // No new set-point bit: the drive holds where it is.
        return DriveSetpoint(controlword: word.rawValue, mode: .profilePosition, targetPositionMM: feedback.positionMM)
    }
}
