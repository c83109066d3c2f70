import HAL

/// One frame's worth of perception: what the state machine reads. Carries its frame's capture
/// time so a reader can judge its age, and what the pipeline took to make it.
public struct PerceptionObservation: Sendable {
    public static let maxBins = 16

    /// The camera's frame sequence number.
    public var frameSequence: UInt64 = 0
    /// When the frame was captured (controller's monotonic clock).
    public var frameTimestamp = MonotonicInstant(nanoseconds: 0)
    /// When the pipeline finished this observation.
    public var completedAt = MonotonicInstant(nanoseconds: 0)
    /// Time the pipeline spent on this frame, in ms.
    public var pipelineLatencyMS: Double = 0
    /// One entry per bin opening in the frame, in the frame's order (at most `maxBins`); only
    /// the one bin asked for when the frame was analysed for one bin (`PerceptionDemand`).
    public var bins = FixedList<16, BinObservation>(filler: BinObservation())

    public init() {}

    /// Age of the frame behind this observation at `now`, in ms (capture to `now`).
    public func ageMS(at now: MonotonicInstant) -> Double {
        Double(frameTimestamp.nanoseconds(until: now)) / 1e6
    }

    /// Capture to publish, in ms: how old the observation already was when it appeared.
    public var captureToPublishMS: Double {
        Double(frameTimestamp.nanoseconds(until: completedAt)) / 1e6
    }

    /// The bin with this opening name, if the frame showed it.
    public func bin(named name: String) -> BinObservation? {
        bins.first { $0.name == name }
    }
}
