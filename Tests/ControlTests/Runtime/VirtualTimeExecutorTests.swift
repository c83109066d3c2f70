import HAL
import Synchronization
import Testing

@testable import Control

/// The virtual-time executor: which loop runs when, and the same answer every time.
@Suite struct VirtualTimeExecutorTests {
    /// Records "name@nanoseconds#index" for every tick, in order.
    final class Trace: @unchecked Sendable {
        private let lock = Mutex<[String]>([])
        func append(_ entry: String) { lock.withLock { $0.append(entry) } }
        var entries: [String] { lock.withLock { $0 } }
    }

    static func tracingLoop(_ name: String, periodNanoseconds: UInt64, trace: Trace) throws -> PeriodicLoop {
        try PeriodicLoop(name: name, periodNanoseconds: periodNanoseconds) { tick in
            trace.append("\(name)@\(tick.started.nanoseconds)#\(tick.index)")
        }
    }

    @Test("at the same instant, the loop declared first runs first")
    func tiesGoToTheLoopDeclaredFirst() throws {
        let trace = Trace()
        let world = try Self.tracingLoop("sim-world", periodNanoseconds: 1_000_000, trace: trace)
        let control = try Self.tracingLoop("control", periodNanoseconds: 2_000_000, trace: trace)
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [world, control])
        defer { executor.finish() }

        executor.run(until: MonotonicInstant(nanoseconds: 4_000_000))

        #expect(trace.entries == [
            "sim-world@1000000#0",
            "sim-world@2000000#1", "control@2000000#0",
            "sim-world@3000000#2",
            "sim-world@4000000#3", "control@4000000#1",
        ])
    }

    @Test("the same loops give the same ticks in the same order, run after run")
    func runsAreDeterministic() throws {
        func oneRun() throws -> [String] {
            let trace = Trace()
            let loops = [
                try Self.tracingLoop("sim-world", periodNanoseconds: 700_000, trace: trace),
                try Self.tracingLoop("control", periodNanoseconds: 1_000_000, trace: trace),
                try Self.tracingLoop("perception", periodNanoseconds: 33_333_333, trace: trace),
            ]
            let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: loops)
            defer { executor.finish() }
            executor.run(until: MonotonicInstant(nanoseconds: 100_000_000))
            return trace.entries
        }
        let first = try oneRun()
        #expect(first.count == 142 + 100 + 3)
        #expect(try oneRun() == first)
    }

    @Test("step runs exactly one due tick and moves the clock to it")
    func stepRunsOneTick() throws {
        let clock = ManualClock(start: MonotonicInstant(nanoseconds: 5_000))
        let trace = Trace()
        let loop = try Self.tracingLoop("control", periodNanoseconds: 1_000, trace: trace)
        let executor = try VirtualTimeExecutor(clock: clock, loops: [loop])
        defer { executor.finish() }

        let step = try #require(executor.step())
        #expect(step.loopName == "control")
        #expect(step.tick.scheduled.nanoseconds == 6_000)
        #expect(step.tick.started.nanoseconds == 6_000)
        #expect(step.tick.index == 0)
        #expect(clock.now().nanoseconds == 6_000)
        #expect(executor.nextDueInstant?.nanoseconds == 7_000)
        #expect(trace.entries == ["control@6000#0"])
    }

    @Test("run(until:) leaves the clock at the end even between ticks")
    func runLeavesTheClockAtTheEnd() throws {
        let clock = ManualClock()
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { _ in }
        let executor = try VirtualTimeExecutor(clock: clock, loops: [loop])
        defer { executor.finish() }
        executor.run(until: MonotonicInstant(nanoseconds: 2_500_000))
        #expect(clock.now().nanoseconds == 2_500_000)
        #expect(loop.statisticsSnapshot().ticks == 2)
    }

    @Test("a body sees the virtual clock, not the wall clock")
    func bodiesSeeVirtualTime() throws {
        let clock = ManualClock()
        let seen = Trace()
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 10_000_000) { _ in
            seen.append("\(clock.now().nanoseconds)")
        }
        let executor = try VirtualTimeExecutor(clock: clock, loops: [loop])
        defer { executor.finish() }
        executor.run(until: MonotonicInstant(nanoseconds: 30_000_000))
        #expect(seen.entries == ["10000000", "20000000", "30000000"])
    }

    @Test("paced mode runs the same ticks as unpaced")
    func pacedModeRunsTheSameTicks() throws {
        let trace = Trace()
        let loop = try Self.tracingLoop("control", periodNanoseconds: 1_000_000, trace: trace)
        // 100x faster than real time: 20 ms of virtual time in about 0.2 ms of wall time.
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop], pacing: .wallClock(rate: 100))
        defer { executor.finish() }
        executor.run(until: MonotonicInstant(nanoseconds: 20_000_000))
        #expect(trace.entries.count == 20)
        #expect(trace.entries.last == "control@20000000#19")
    }

    @Test("requestStop ends a run after the tick in progress")
    func requestStopEndsARun() throws {
        let clock = ManualClock()
        let holder = ExecutorHolder()
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { tick in
            if tick.index == 4 { holder.executor?.requestStop() }
        }
        let executor = try VirtualTimeExecutor(clock: clock, loops: [loop])
        holder.executor = executor
        defer { executor.finish() }
        executor.run(until: MonotonicInstant(nanoseconds: 1_000_000_000))
        #expect(loop.statisticsSnapshot().ticks == 5)
        #expect(clock.now().nanoseconds == 5_000_000)
    }

    @Test("a loop that does not measure its execution counts its ticks and lateness, and records no execution time")
    func unmeasuredLoopRecordsNoExecution() throws {
        let world = try PeriodicLoop(name: "sim-world", periodNanoseconds: 1_000_000, measuresExecution: false) { _ in }
        let control = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { _ in }
        let executor = try VirtualTimeExecutor(clock: ManualClock(), loops: [world, control])
        executor.run(until: MonotonicInstant(nanoseconds: 10_000_000))
        executor.finish()

        let unmeasured = world.statisticsSnapshot(), measured = control.statisticsSnapshot()
        #expect(unmeasured.ticks == 10 && measured.ticks == 10)
        #expect(unmeasured.lateness.samples == 10)
        #expect(!unmeasured.measuresExecution && measured.measuresExecution)
        #expect(unmeasured.execution.samples == 0)
        #expect(unmeasured.worstExecutionNanoseconds == 0)
        #expect(measured.execution.samples == 10)
    }

    @Test("two loops with one name are refused")
    func duplicateNamesAreRefused() throws {
        let first = try PeriodicLoop(name: "control", periodNanoseconds: 1_000) { _ in }
        let second = try PeriodicLoop(name: "control", periodNanoseconds: 2_000) { _ in }
        #expect(throws: LoopExecutorError.self) {
            try VirtualTimeExecutor(clock: ManualClock(), loops: [first, second])
        }
    }

    final class ExecutorHolder: @unchecked Sendable {
        /// Weak: the executor holds the loop whose body holds this.
        weak var executor: VirtualTimeExecutor?
    }
}
