import Glibc
import HAL
import Testing

@testable import Control

/// Loop statistics: counters, summaries, the worst-execution flag, reset.
@Suite struct LoopStatisticsTests {
    @Test("every tick is counted, and the summaries cover every tick after a run")
    func ticksAndSummaries() throws {
        let loop = try PeriodicLoop(name: "perception", periodNanoseconds: 2_000_000) { _ in }
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        defer { executor.finish() }
        executor.run(until: MonotonicInstant(nanoseconds: 200_000_000))

        let statistics = loop.statisticsSnapshot()
        #expect(statistics.loopName == "perception")
        #expect(statistics.periodNanoseconds == 2_000_000)
        #expect(statistics.ticks == 100)
        #expect(statistics.summariesAsOfTick == 100)
        #expect(statistics.lateness.samples == 100)
        #expect(statistics.execution.samples == 100)
        // On time in virtual time: no lateness at all.
        #expect(statistics.lateness.maxNanoseconds == 0)
        #expect(statistics.execution.minNanoseconds <= statistics.execution.p50Nanoseconds)
        #expect(statistics.execution.p50Nanoseconds <= statistics.execution.p99Nanoseconds)
        #expect(statistics.execution.p99Nanoseconds <= statistics.execution.maxNanoseconds)
        #expect(statistics.execution.maxNanoseconds == statistics.worstExecutionNanoseconds)
    }

    @Test("the worst-execution flag is set on the tick that sets a new worst")
    func worstExecutionFlag() throws {
        // Tick 3 sleeps 30 ms of wall time: longer than any empty tick. Wall time is recorded in
        // virtual time too.
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { tick in
            if tick.index == 3 { usleep(30_000) }
        }
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        defer { executor.finish() }

        executor.step()
        let first = loop.statisticsSnapshot()
        #expect(first.worstExecutionIncreased)
        #expect(first.worstExecutionIncreases == 1)

        for _ in 0..<3 { executor.step() }
        let afterSlow = loop.statisticsSnapshot()
        #expect(afterSlow.worstExecutionIncreased)
        #expect(afterSlow.worstExecutionNanoseconds >= 30_000_000)
        #expect(afterSlow.lastExecutionNanoseconds == afterSlow.worstExecutionNanoseconds)

        executor.step()
        let afterNext = loop.statisticsSnapshot()
        #expect(!afterNext.worstExecutionIncreased)
        #expect(afterNext.worstExecutionIncreases == afterSlow.worstExecutionIncreases)
        // Wall-clock slowness is not virtual slowness: no overrun in virtual time.
        #expect(afterNext.overruns == 0)
    }

    @Test("reset zeroes the statistics at the next tick, keeping name and period")
    func resetZeroesAtTheNextTick() throws {
        let loop = try PeriodicLoop(name: "console", periodNanoseconds: 1_000_000) { tick in
            if tick.index == 0 { tick.virtualExecutionNanoseconds = 3_500_000 }
        }
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        defer { executor.finish() }
        executor.run(until: MonotonicInstant(nanoseconds: 20_000_000))
        let before = loop.statisticsSnapshot()
        #expect(before.overruns == 1)
        #expect(before.missedCycles == 2)

        loop.resetStatistics()
        executor.step()
        let after = loop.statisticsSnapshot()
        #expect(after.loopName == "console")
        #expect(after.periodNanoseconds == 1_000_000)
        #expect(after.ticks == 1)
        #expect(after.overruns == 0)
        #expect(after.missedCycles == 0)
        #expect(after.worstExecutionIncreases == 1)
    }

    @Test("a snapshot asks the loop to refresh its percentile summaries at its next tick")
    func snapshotsRefreshSummaries() throws {
        let loop = try PeriodicLoop(name: "telemetry", periodNanoseconds: 1_000_000) { _ in }
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        defer { executor.finish() }
        for _ in 0..<10 { executor.step() }
        #expect(loop.statisticsSnapshot().summariesAsOfTick == 0)
        executor.step()
        #expect(loop.statisticsSnapshot().summariesAsOfTick == 11)
    }
}
