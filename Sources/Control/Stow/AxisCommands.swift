import HAL

/// One drive's setpoint, built tick by tick from feedback: walks the CiA 402 state machine to
/// operation enabled, then runs profile position moves with the new-set-point handshake
/// (bit 4 up, wait for the acknowledge in statusword bit 12, bit 4 down), or profile velocity.
/// The bus samples the newest setpoint at its own rate, so every step waits for feedback.
public struct AxisCommand: Sendable {
    public enum Motion: Equatable, Sendable {
        case position(targetMM: Double)
        case velocity(mmPerS: Double)
        /// Power stage off.
        case off
    }

    public private(set) var motion: Motion = .off
    /// A position target not yet acknowledged by the drive.
    private var pendingTargetMM: Double?
    /// The last position target the drive acknowledged.
    public private(set) var acceptedTargetMM: Double?

    public init() {}

    public mutating func move(toMM target: Double) {
        motion = .position(targetMM: target)
        if acceptedTargetMM != target { pendingTargetMM = target }
    }

    public mutating func run(mmPerS velocity: Double) {
        motion = .velocity(mmPerS: velocity)
        pendingTargetMM = nil
        acceptedTargetMM = nil
    }

    public mutating func powerOff() {
        motion = .off
        pendingTargetMM = nil
        acceptedTargetMM = nil
    }

    /// True once the drive has taken the current position target and reports it reached.
    public func reached(_ feedback: DriveFeedback?) -> Bool {
        guard case .position = motion, pendingTargetMM == nil, let feedback else { return false }
        return feedback.statusword & CiA402StatusBit.targetReached != 0
    }

    /// The setpoint for this tick.
    public mutating func setpoint(feedback: DriveFeedback?) -> DriveSetpoint {
        guard let feedback, let state = CiA402State(statusword: feedback.statusword) else { return .disabled }
        switch motion {
        case .off:
            return .disabled
        case let .velocity(velocity):
            guard let word = Self.enableWord(state) else { return .disabled }
            return DriveSetpoint(controlword: word.rawValue, mode: .profileVelocity, targetVelocityMMPerS: velocity)
        case let .position(target):
            guard let word = Self.enableWord(state) else { return .disabled }
            guard state == .operationEnabled, let pending = pendingTargetMM else {
                return DriveSetpoint(controlword: word.rawValue, mode: .profilePosition, targetPositionMM: acceptedTargetMM ?? target)
            }
            let acknowledged = feedback.statusword & CiA402StatusBit.operationModeSpecific12 != 0
            if acknowledged, lastRaised == pending {
                // The drive took it: lower bit 4.
                acceptedTargetMM = pending
                pendingTargetMM = nil
                lastRaised = nil
                return DriveSetpoint(controlword: word.rawValue, mode: .profilePosition, targetPositionMM: pending)
            }
            if acknowledged {
                // Still acknowledging an older set-point: lower bit 4 first.
                return DriveSetpoint(controlword: word.rawValue, mode: .profilePosition, targetPositionMM: pending)
            }
            lastRaised = pending
            return DriveSetpoint(controlword: word.rawValue | CiA402Controlword.newSetpointBit, mode: .profilePosition,
                                 targetPositionMM: pending)
        }
    }

    private var lastRaised: Double?

    /// The controlword that walks toward operation enabled, or nil while the drive is in fault
    /// or busy reacting (a fault reset is a person's decision, not the cycle's).
    static func enableWord(_ state: CiA402State) -> CiA402Controlword? {
        switch CiA402Controlword.next(from: state, toward: .operationEnabled) {
        case let .send(word): return word
        case .arrived: return .enableOperation
        case .wait, .blockedByFault: return nil
        }
    }
}
