import HAL
import Testing

@testable import Control

/// Overrun policies, driven by simulated slow ticks in virtual time.
@Suite struct LoopOverrunTests {
    /// A 1 ms loop whose ticks listed in `slowTicks` take `slowNanoseconds` of virtual time.
    static func loop(
        policy: OverrunPolicy, slowTicks: Set<UInt64>, slowNanoseconds: UInt64 = 1_500_000
    ) throws -> PeriodicLoop {
        try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000, overrunPolicy: policy) { tick in
            if slowTicks.contains(tick.index) {
                tick.virtualExecutionNanoseconds = slowNanoseconds
            }
        }
    }

    static func run(_ loop: PeriodicLoop, untilMilliseconds milliseconds: UInt64) throws {
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        executor.run(until: MonotonicInstant(nanoseconds: milliseconds * 1_000_000))
        executor.finish()
    }

    @Test("skip: overruns are counted and the loop carries on without a fault")
    func skipCountsAndCarriesOn() throws {
        let loop = try Self.loop(policy: .skip, slowTicks: [2, 3, 4, 5, 6])
        try Self.run(loop, untilMilliseconds: 20)
        let statistics = loop.statisticsSnapshot()
        #expect(statistics.overruns == 5)
        #expect(statistics.consecutiveOverruns == 0)
        #expect(loop.overrunFault == nil)
    }

    @Test("a tick that ends within its period is not an overrun")
    func aTickWithinItsPeriodIsNoOverrun() throws {
        let loop = try Self.loop(policy: .faultAfterConsecutive(1), slowTicks: [1, 2], slowNanoseconds: 1_000_000)
        try Self.run(loop, untilMilliseconds: 10)
        #expect(loop.statisticsSnapshot().overruns == 0)
        #expect(loop.overrunFault == nil)
    }

    @Test("fault after 3: three slow ticks in a row latch a named fault")
    func threeInARowLatchAFault() throws {
        let loop = try Self.loop(policy: .faultAfterConsecutive(3), slowTicks: [4, 5, 6])
        try Self.run(loop, untilMilliseconds: 20)
        let fault = try #require(loop.overrunFault)
        #expect(fault.loopName == "control")
        #expect(fault.consecutiveOverruns == 3)
        #expect(fault.tickIndex == 6)
        #expect(fault.description.hasPrefix("loop control: 3 overruns in a row of its 1.000 ms period"))
    }

    @Test("fault after 3: two slow ticks, a good one, two more do not fault")
    func interruptedRunsDoNotFault() throws {
        let loop = try Self.loop(policy: .faultAfterConsecutive(3), slowTicks: [2, 3, 5, 6])
        try Self.run(loop, untilMilliseconds: 20)
        #expect(loop.statisticsSnapshot().overruns == 4)
        #expect(loop.overrunFault == nil)
    }

    @Test("the fault stays latched when the loop is back on time, until reset")
    func faultIsLatchedUntilReset() throws {
        let loop = try Self.loop(policy: .faultAfterConsecutive(2), slowTicks: [1, 2])
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        defer { executor.finish() }
        executor.run(until: MonotonicInstant(nanoseconds: 30_000_000))
        #expect(loop.statisticsSnapshot().consecutiveOverruns == 0)
        #expect(loop.overrunFault != nil)

        loop.resetOverrunFault()
        executor.run(until: MonotonicInstant(nanoseconds: 40_000_000))
        #expect(loop.overrunFault == nil)
    }

    @Test("a tick that takes several periods misses the deadlines it spans")
    func aLongTickMissesDeadlines() throws {
        // Tick 0 is due at 1 ms and takes 4.5 ms of virtual time: it ends at 5.5 ms, so the
        // deadlines at 2, 3 and 4 ms are missed and the next tick runs at 5.5 ms (late for 5 ms).
        let loop = try Self.loop(policy: .skip, slowTicks: [0], slowNanoseconds: 4_500_000)
        let clock = ManualClock()
        let executor = try VirtualTimeExecutor(clock: clock, loops: [loop])
        defer { executor.finish() }
        executor.step()
        let second = try #require(executor.step())
        #expect(second.tick.scheduled.nanoseconds == 5_000_000)
        #expect(second.tick.started.nanoseconds == 5_500_000)
        #expect(second.tick.latenessNanoseconds == 500_000)

        let statistics = loop.statisticsSnapshot()
        #expect(statistics.missedCycles == 3)
        #expect(statistics.overruns == 1)
        #expect(statistics.lastLatenessNanoseconds == 500_000)
    }

    @Test("a slow loop does not delay the other loops")
    func aSlowLoopKeepsItsDelayToItself() throws {
        let slow = try Self.loop(policy: .skip, slowTicks: [0], slowNanoseconds: 10_000_000)
        let steady = try PeriodicLoop(name: "sim-world", periodNanoseconds: 1_000_000) { _ in }
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [slow, steady])
        defer { executor.finish() }
        executor.run(until: MonotonicInstant(nanoseconds: 10_000_000))
        let steadyStatistics = steady.statisticsSnapshot()
        #expect(steadyStatistics.ticks == 10)
        #expect(steadyStatistics.lateness.maxNanoseconds == 0)
        #expect(steadyStatistics.missedCycles == 0)
    }
}
