import HAL

/// One drive's setpoint, built tick by tick from feedback: walks the CiA 402 state machine to
/// operation enabled, then runs profile position moves with the new-set-point handshake
/// (bit 4 up, wait for the acknowledge in statusword bit 12, bit 4 down), or profile velocity.
/// The bus samples the newest setpoint at its own rate, so every step waits for feedback.
/// Every setpoint that powers the drive carries the axis's motion profile (the configured
/// speed and ramps), which the drive writes as it is enabled.
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
    /// Profile velocity and ramps for the drive (`stow.speeds_mm_s`, the drive's acceleration limit).
    public let motionProfile: DriveMotionProfile?

    public init(motionProfile: DriveMotionProfile? = nil) {
        self.motionProfile = motionProfile
    }

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
        guard case let .position(target) = motion, pendingTargetMM == nil, acceptedTargetMM == target,
              let feedback else { return false }
        return feedback.statusword & CiA402StatusBit.targetReached != 0 && abs(feedback.positionMM - target) < 2
    }

    /// The setpoint for this tick.
    public mutating func setpoint(feedback: DriveFeedback?, now: MonotonicInstant) -> DriveSetpoint {
        guard let feedback, let state = CiA402State(statusword: feedback.statusword) else { return .disabled }
        switch motion {
        case .off:
            return .disabled
        case let .velocity(velocity):
            guard let word = Self.enableWord(state) else { return .disabled }
            return DriveSetpoint(controlword: word.rawValue, mode: .profileVelocity, targetVelocityMMPerS: velocity,
                                 motionProfile: motionProfile)
        case let .position(target):
            guard let word = Self.enableWord(state) else { return .disabled }
            guard state == .operationEnabled else {
                // A drive that left operation enabled (fault, quick stop, STO) holds no set-point
                // when it comes back: the target must be raised again, even if it was taken before.
                handshake = .idle
                acceptedTargetMM = nil
                pendingTargetMM = target
                return DriveSetpoint(controlword: word.rawValue, mode: .profilePosition, targetPositionMM: acceptedTargetMM ?? target,
                                     motionProfile: motionProfile)
            }
            let acknowledged = feedback.statusword & CiA402StatusBit.operationModeSpecific12 != 0
            var raise = false
            switch handshake {
            case .idle:
                if let pending = pendingTargetMM {
                    // A stale acknowledge (left from before a fault, with bit 4 already low) is
                    // waited out for a while, then overridden: the drive takes a set-point on
                    // every rising edge of bit 4.
                    if !acknowledged || (ackStuckSince.map { $0.nanoseconds(until: now) > Self.staleAckNanoseconds } ?? false) {
                        handshake = .raised(pending)
                        ackStuckSince = nil
                        raise = true
                    } else if ackStuckSince == nil {
                        ackStuckSince = now
                    }
                }
            case let .raised(raisedTarget):
                if acknowledged {
                    if pendingTargetMM == raisedTarget { pendingTargetMM = nil }
                    acceptedTargetMM = raisedTarget
                    handshake = .lowering
                } else {
                    raise = true
                }
            case .lowering:
                if !acknowledged { handshake = .idle }
            }
            let sent: Double
            if case let .raised(raisedTarget) = handshake { sent = raisedTarget } else { sent = acceptedTargetMM ?? target }
            return DriveSetpoint(controlword: word.rawValue | (raise ? CiA402Controlword.newSetpointBit : 0),
                                 mode: .profilePosition, targetPositionMM: sent, motionProfile: motionProfile)
        }
    }

    /// The new-set-point handshake (CiA 402 profile position, bits 4 and 12).
    private enum Handshake: Equatable, Sendable {
        /// Bit 4 low, acknowledge clear: a new target may be raised.
        case idle
        /// Bit 4 high for this target until the drive acknowledges it.
        case raised(Double)
        /// Bit 4 low again; waiting for the drive to clear its acknowledge.
        case lowering
    }

    private var handshake = Handshake.idle
    private var ackStuckSince: MonotonicInstant?
    /// How long an acknowledge that nobody raised is waited out (a few bus cycles).
    static let staleAckNanoseconds: UInt64 = 300_000_000

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
