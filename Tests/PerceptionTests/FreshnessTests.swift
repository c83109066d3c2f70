import HAL
import Testing
@testable import Perception

/// A camera handing out whatever frame the test sets.
final class ScriptedCamera: DepthCamera {
    let name = "camera0"
    var frame: DepthFrame?
    var failure: HALError?

    func latestFrame() throws -> DepthFrame? {
        if let failure { throw failure }
        return frame
    }
}

@Suite("Freshness and the perception loop body")
struct FreshnessTests {
    static let millisecond: UInt64 = 1_000_000

    @Test("a tick publishes the newest frame once; a repeated sequence is skipped; no frame publishes nothing")
    func tickSkipsRepeats() throws {
        let camera = ScriptedCamera()
        let clock = ManualClock(start: MonotonicInstant(nanoseconds: 10 * Self.millisecond))
        let loop = PerceptionLoop(camera: camera, clock: clock)
        #expect(try loop.tick(now: clock.now()) == .noFrame)
        #expect(loop.output.latest() == nil)

        camera.frame = TestScene.standard().render(sequence: 7, timestamp: clock.now())
        guard case .published(sequence: 7, latencyMS: _) = try loop.tick(now: clock.now()) else {
            Issue.record("first tick should publish frame 7")
            return
        }
        #expect(try loop.tick(now: clock.now()) == .repeatedFrame(sequence: 7))
        #expect(loop.output.publishCount == 1)
        #expect(loop.output.latest()?.frameSequence == 7)
        #expect(loop.output.latest()?.frameTimestamp == MonotonicInstant(nanoseconds: 10 * Self.millisecond))
    }

    @Test("an observation within the allowed age is handed out; an older one is perception-stale, never reused")
    func staleIsAFault() throws {
        let camera = ScriptedCamera()
        let clock = ManualClock(start: MonotonicInstant(nanoseconds: 100 * Self.millisecond))
        let loop = PerceptionLoop(camera: camera, clock: clock)
        camera.frame = TestScene.standard().render(sequence: 1, timestamp: clock.now())
        try loop.tick(now: clock.now())

        clock.advance(byNanoseconds: 200 * Self.millisecond)
        let fresh = try loop.output.freshObservation(now: clock.now(), maxAgeMS: 250)
        #expect(fresh.frameSequence == 1)
        #expect(abs(fresh.ageMS(at: clock.now()) - 200) < 0.001)

        clock.advance(byNanoseconds: 100 * Self.millisecond)
        // The camera stopped: the tick sees the same frame, and the observation ages out.
        #expect(try loop.tick(now: clock.now()) == .repeatedFrame(sequence: 1))
        let error = #expect(throws: PerceptionFault.self) {
            try loop.output.freshObservation(now: clock.now(), maxAgeMS: 250)
        }
        #expect(error?.name == "perception-stale")
        #expect(error == .stale(ageMS: 300, maxAgeMS: 250, frameSequence: 1))
    }

    @Test("before any observation the reader gets perception-none, not a default value")
    func noneBeforeFirst() {
        let output = PerceptionOutput()
        let error = #expect(throws: PerceptionFault.self) {
            try output.freshObservation(now: MonotonicInstant(nanoseconds: 0), maxAgeMS: 250)
        }
        #expect(error == .noObservation)
    }

    @Test("a camera error propagates out of the tick and the last observation stays (and ages)")
    func cameraErrorPropagates() throws {
        let camera = ScriptedCamera()
        let clock = ManualClock(start: MonotonicInstant(nanoseconds: 0))
        let loop = PerceptionLoop(camera: camera, clock: clock)
        camera.frame = TestScene.standard().render(sequence: 1, timestamp: clock.now())
        try loop.tick(now: clock.now())
        camera.failure = HALError(device: "camera0", cause: .timeout)
        #expect(throws: HALError.self) { try loop.tick(now: clock.now()) }
        #expect(loop.output.latest()?.frameSequence == 1)
    }

    @Test("every observation carries its pipeline latency and capture-to-publish time")
    func latencyCarried() throws {
        let camera = ScriptedCamera()
        let loop = PerceptionLoop(camera: camera)
        camera.frame = TestScene.standard().render(sequence: 1, timestamp: .now())
        try loop.tick(now: .now())
        let observation = try #require(loop.output.latest())
        #expect(observation.pipelineLatencyMS > 0)
        #expect(observation.captureToPublishMS >= observation.pipelineLatencyMS)
    }

    @Test("a baseline requested from another thread is taken at the next frame; later frames verify against it")
    func baselineThroughTheLoop() throws {
        let camera = ScriptedCamera()
        let clock = ManualClock(start: MonotonicInstant(nanoseconds: 0))
        let loop = PerceptionLoop(camera: camera, clock: clock)
        camera.frame = TestScene.standard(seed: 1).render(sequence: 1, timestamp: clock.now())
        try loop.tick(now: clock.now())
        #expect(loop.output.latest()?.bins[0].verification == nil)

        loop.requestBaseline(openingIndex: 0)
        camera.frame = TestScene.standard(seed: 2).render(sequence: 2, timestamp: clock.now())
        try loop.tick(now: clock.now())
        let own = try #require(loop.output.latest()?.bins[0].verification)
        #expect(own.baselineSequence == 2 && !own.itemPlaced)

        camera.frame = TestScene.standard(boxes: [.init(xMM: 100, widthMM: 80, frontMM: 30, depthMM: 120, heightMM: 100)], seed: 3)
            .render(sequence: 3, timestamp: clock.now())
        try loop.tick(now: clock.now())
        let verdict = try #require(loop.output.latest()?.bins[0].verification)
        #expect(verdict.itemPlaced && !verdict.itemLeftBin && verdict.baselineSequence == 2)
    }
}
