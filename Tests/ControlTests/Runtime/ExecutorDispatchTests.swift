import Glibc
import HAL
import Testing

@testable import Control

/// The Dispatch executor on the real clock. Nothing here asserts a latency.
@Suite struct ExecutorDispatchTests {
    @Test("loops tick on their own timers and stop when told")
    func loopsTickAndStop() throws {
        let fast = try PeriodicLoop(name: "bus0", periodNanoseconds: 2_000_000) { _ in }
        let slow = try PeriodicLoop(name: "telemetry", periodNanoseconds: 5_000_000) { _ in }
        let executor = DispatchLoopExecutor(loops: [fast, slow])
        try executor.start()
        #expect(eventually { fast.statisticsSnapshot().ticks >= 5 && slow.statisticsSnapshot().ticks >= 2 })
        executor.stop()

        let stopped = fast.statisticsSnapshot().ticks
        usleep(20_000)
        #expect(fast.statisticsSnapshot().ticks == stopped)
        // Stopping refreshes the summaries: every tick is in them.
        #expect(fast.statisticsSnapshot().lateness.samples == stopped)
        #expect(executor.executorDescription == "dispatch")
    }

    @Test("a blocked queue's missed fires are read from the timer and counted")
    func blockedQueueCountsMissedFires() throws {
        // Tick 1 blocks the loop's queue for 40 ms: at 2 ms a period, at least 15 fires pile up
        // in the timer's data, and all but the one handled next are missed cycles.
        let loop = try PeriodicLoop(name: "perception", periodNanoseconds: 2_000_000) { tick in
            if tick.index == 1 { usleep(40_000) }
        }
        let executor = DispatchLoopExecutor(loops: [loop])
        try executor.start()
        defer { executor.stop() }
        #expect(eventually { loop.statisticsSnapshot().ticks >= 4 })
        let statistics = loop.statisticsSnapshot()
        #expect(statistics.missedCycles >= 15)
        #expect(statistics.overruns >= 1)
        #expect(statistics.worstExecutionNanoseconds >= 40_000_000)
    }

    @Test("a loop already on another executor is refused, and the others are released")
    func loopOnAnotherExecutorIsRefused() throws {
        let shared = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { _ in }
        let other = try PeriodicLoop(name: "console", periodNanoseconds: 1_000_000) { _ in }
        let virtual = try VirtualTimeExecutor(clock: ManualClock(), loops: [shared])
        let dispatch = DispatchLoopExecutor(loops: [other, shared])
        #expect(throws: LoopExecutorError.self) { try dispatch.start() }
        virtual.finish()
        // `other` was released when the start failed, so it can run elsewhere.
        let again = DispatchLoopExecutor(loops: [other])
        try again.start()
        again.stop()
    }
}
