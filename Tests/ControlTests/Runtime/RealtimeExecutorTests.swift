import Glibc
import HAL
import Testing

@testable import Control

/// The real-time executor: runs on SCHED_FIFO where the process may, falls back loudly where
/// it may not. Nothing here asserts a latency.
@Suite(.serialized) struct RealtimeExecutorTests {
    @Test("the loop runs, and the status says whether SCHED_FIFO was granted")
    func runsAndReportsFIFO() throws {
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { _ in }
        // Memory locking is left off: the test process is large and shared with other suites.
        let executor = RealtimeLoopExecutor(loop: loop, options: .init(priority: 10, lockMemory: false))
        try executor.start()
        #expect(eventually { loop.statisticsSnapshot().ticks >= 20 })
        let heldWakeupLimit = executor.status.cpuWakeupLatencyMicroseconds != nil
        if heldWakeupLimit {
            #expect(CPUWakeupLatencyRequest.currentLimitMicroseconds() == 0)
        } else {
            #expect(executor.status.warnings.contains { $0.contains("/dev/cpu_dma_latency") })
        }
        executor.stop()

        let status = executor.status
        let permitted = RealtimeReport.capture().fifoPermitted
        #expect(status.fifoGranted == permitted)
        #expect(status.fellBackToDispatch == !permitted)
        if permitted {
            #expect(status.summary.hasPrefix("realtime (SCHED_FIFO 10, memory NOT locked"))
            #expect(status.timerSlackNanoseconds == 1)
        }
        let ticks = loop.statisticsSnapshot().ticks
        usleep(10_000)
        #expect(loop.statisticsSnapshot().ticks == ticks)
    }

    @Test("when real-time is refused, the loop runs on Dispatch and every status says so")
    func refusedRealtimeFallsBackLoudly() throws {
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { _ in }
        let executor = RealtimeLoopExecutor(
            loop: loop, options: .init(refuseRealtimeWithReason: "test: RLIMIT_RTPRIO 0, no CAP_SYS_NICE"))
        try executor.start()
        #expect(eventually { loop.statisticsSnapshot().ticks >= 5 })
        executor.stop()

        let status = executor.status
        #expect(!status.fifoGranted)
        #expect(status.fellBackToDispatch)
        #expect(status.summary == "dispatch (FALLBACK: real-time refused: test: RLIMIT_RTPRIO 0, no CAP_SYS_NICE)")
        #expect(executor.executorDescription == status.summary)
        let report = RealtimeReport.capture(executor: status)
        #expect(report.description.contains("FALLBACK"))
    }

    @Test("a priority the kernel refuses (0 is not a SCHED_FIFO priority) falls back too")
    func kernelRefusalFallsBack() throws {
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { _ in }
        let executor = RealtimeLoopExecutor(loop: loop, options: .init(priority: 0, lockMemory: false))
        try executor.start()
        #expect(eventually { loop.statisticsSnapshot().ticks >= 5 })
        executor.stop()
        let reason = try #require(executor.status.fallbackReason)
        #expect(reason.hasPrefix("pthread_setschedparam(SCHED_FIFO, 0): "))
        #expect(reason.contains("(errno \(EINVAL))"))
    }

    @Test("the loop can run again after the executor stopped")
    func loopIsReleasedAtStop() throws {
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { _ in }
        let executor = RealtimeLoopExecutor(loop: loop, options: .init(priority: 10, lockMemory: false))
        try executor.start()
        executor.stop()
        let virtual = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        virtual.finish()
    }
}
