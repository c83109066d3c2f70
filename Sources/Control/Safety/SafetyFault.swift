import HAL

/// A latched safety fault: what tripped, on which signal or device, and what to do about it.
/// It stays latched until `SafetySupervisor.reset` finds its cause gone.
public struct SafetyFault: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case estop
        case deadman
        case driveComm = "drive-comm"
        case driveFeedbackStale = "drive-feedback-stale"
        case driveFault = "drive-fault"
        case loopOverrun = "loop-overrun"
        case inputRead = "input-read"
        case outputWrite = "output-write"
        case operatorStop = "operator-stop"
    }

    public var kind: Kind
    /// The dotted name of what tripped: `eoat.estop`, `bus0.drive.plank`, `loop.control`.
    public var subject: String
    public var message: String
    /// What a person should check or do.
    public var hint: String
    public var since: MonotonicInstant

    public init(kind: Kind, subject: String, message: String, hint: String, since: MonotonicInstant) {
        self.kind = kind
        self.subject = subject
        self.message = message
        self.hint = hint
        self.since = since
    }

    /// `drive-comm bus0.drive.plank: no answer for 3 cycles (check wiring, unit id and baud; ...)`
    public var description: String {
        "\(kind.rawValue) \(subject): \(message)" + (hint.isEmpty ? "" : " (\(hint))")
    }
}
