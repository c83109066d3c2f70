/// Why the state machine cannot use perception right now. Each case has the fault name used in
/// config, logs and the console.
public enum PerceptionFault: Error, Equatable, Sendable, CustomStringConvertible {
    /// The newest observation's frame is older than the allowed age.
    case stale(ageMS: Double, maxAgeMS: Double, frameSequence: UInt64)
    /// No observation has been published yet.
    case noObservation

    /// `perception-stale` or `perception-none`.
    public var name: String {
        switch self {
        case .stale: return "perception-stale"
        case .noObservation: return "perception-none"
        }
    }

    public var description: String {
        switch self {
        case let .stale(ageMS, maxAgeMS, sequence):
            return "perception-stale: newest observation (frame \(sequence)) is \(Self.format(ageMS)) ms old, "
                + "more than the \(Self.format(maxAgeMS)) ms allowed (safety.perception_max_age_ms); "
                + "check the camera (stowctl perceive on a recorded frame) and the perception loop statistics"
        case .noObservation:
            return "perception-none: no observation yet; is the perception loop running and the camera delivering frames?"
        }
    }

    private static func format(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }
}
