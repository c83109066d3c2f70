import HAL

/// The handoff from the perception loop to its readers (the state machine in the control tick,
/// the console): the newest observation, taken without waiting.
///
/// Built on HAL's `LatestValue`: a reader never blocks the perception loop, nor the other way
/// round, and neither allocates.
public final class PerceptionOutput: Sendable {
    private let cell = LatestValue<PerceptionObservation?>(nil)

    public init() {}

    /// Makes `observation` the newest. Called by the perception loop only.
    public func publish(_ observation: PerceptionObservation) {
        cell.publish(observation)
    }

    /// The newest observation whatever its age, or nil before the first. For display; the state
    /// machine uses `freshObservation(now:maxAgeMS:)`.
    public func latest() -> PerceptionObservation? {
        cell.read()
    }

    /// How many observations have been published.
    public var publishCount: UInt64 { cell.publishCount }

    /// The newest observation if its frame is at most `maxAgeMS` old at `now`; otherwise the
    /// named fault. Never returns an old observation silently.
    public func freshObservation(now: MonotonicInstant, maxAgeMS: Double) throws(PerceptionFault) -> PerceptionObservation {
        guard let observation = cell.read() else { throw .noObservation }
        let ageMS = observation.ageMS(at: now)
        guard ageMS <= maxAgeMS else {
            throw .stale(ageMS: ageMS, maxAgeMS: maxAgeMS, frameSequence: observation.frameSequence)
        }
        return observation
    }
}
