import HAL
import Synchronization

/// The body of the perception loop: one `tick(now:)` per period, run by a Dispatch loop at the
/// configured rate (loops.perception.hz). It owns no timer and no thread.
///
/// A tick takes the camera's newest frame, skips it if its sequence was already processed, runs
/// the pipeline and publishes the observation to `output`. A camera error propagates to the
/// caller (the loop counts it); the previous observation stays published and ages into
/// `perception-stale`.
public final class PerceptionLoop: @unchecked Sendable {
    /// What one tick did.
    public enum TickOutcome: Equatable, Sendable {
        /// A new frame was processed and its observation published.
        case published(sequence: UInt64, latencyMS: Double)
        /// The camera has not produced a frame yet.
        case noFrame
        /// The newest frame was already processed.
        case repeatedFrame(sequence: UInt64)
    }

    /// Where readers take observations from.
    public let output: PerceptionOutput
    public let camera: DepthCamera
    private let pipeline: PerceptionPipeline
    private var observation = PerceptionObservation()
    private var lastSequence: UInt64?
    /// Baseline requests from other threads: bin index + 1, or 0 for none; and clear requests.
    private let baselineRequest = Atomic<Int>(0)
    private let clearRequest = Atomic<Int>(0)

    /// `clock` stamps when each observation was completed (the system clock, or virtual time).
    public init(camera: DepthCamera, settings: PerceptionSettings = PerceptionSettings(),
                clock: MonotonicClock = SystemClock.shared, output: PerceptionOutput = PerceptionOutput()) {
        self.camera = camera
        self.output = output
        pipeline = PerceptionPipeline(settings: settings, clock: clock)
    }

    /// One period. Only the loop that owns this object calls it. `onlyOpening`: analyse and
    /// publish that bin alone (a simulated campaign's verification frames, `PerceptionDemand`).
    @discardableResult
    public func tick(now: MonotonicInstant, onlyOpening: Int? = nil) throws -> TickOutcome {
        guard let frame = try camera.latestFrame() else { return .noFrame }
        if frame.sequence == lastSequence { return .repeatedFrame(sequence: frame.sequence) }
        lastSequence = frame.sequence
        // A bin no longer verified is not carved and compared in this frame; a new baseline is
        // taken from this frame, so it is applied after.
        let clear = clearRequest.exchange(0, ordering: .acquiring)
        if clear > 0 { pipeline.clearBaseline(bin: clear - 1) }
        pipeline.process(frame, into: &observation, onlyOpening: onlyOpening)
        applyBaselineRequest(sequence: frame.sequence)
        output.publish(observation)
        return .published(sequence: frame.sequence, latencyMS: observation.pipelineLatencyMS)
    }

    /// Asks the loop to take its next frame as the "before" of bin `openingIndex` (the index in
    /// the frame's `openings`). Observations of that bin then carry a `StowVerification`; the
    /// first one compares the baseline frame with itself. Never blocks; safe from any thread.
    public func requestBaseline(openingIndex: Int) {
        baselineRequest.store(openingIndex + 1, ordering: .releasing)
    }

    /// Stops verification for bin `openingIndex` from the next frame on. Never blocks; safe from
    /// any thread.
    public func requestClearBaseline(openingIndex: Int) {
        clearRequest.store(openingIndex + 1, ordering: .releasing)
    }

    private func applyBaselineRequest(sequence: UInt64) {
        let request = baselineRequest.exchange(0, ordering: .acquiring)
        guard request > 0 else { return }
        let index = request - 1
        pipeline.captureBaseline(bin: index, sequence: sequence)
        // This frame is its own baseline: say so in the observation about to be published.
        for position in 0..<observation.bins.count where observation.bins[position].openingIndex == index {
            observation.bins[position].verification = StowVerifier.compare(
                before: pipeline.grid(bin: index), after: pipeline.grid(bin: index),
                afterProtrusion: observation.bins[position].protrusion, baselineSequence: sequence,
                settings: pipeline.settings)
        }
    }
}
