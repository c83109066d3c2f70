import HAL
import Testing

@testable import Control

/// Declaring a loop: values that cannot run are refused with a message saying what to use.
@Suite struct LoopDeclarationTests {
    @Test("a zero period is refused")
    func zeroPeriodIsRefused() {
        #expect(throws: LoopDeclarationError("loop control: period must be positive, got 0 ns")) {
            try PeriodicLoop(name: "control", periodNanoseconds: 0) { _ in }
        }
    }

    @Test("a fault threshold below 1 is refused")
    func faultThresholdBelowOneIsRefused() {
        #expect(throws: LoopDeclarationError.self) {
            try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000, overrunPolicy: .faultAfterConsecutive(0)) { _ in }
        }
    }

    @Test("an empty name is refused")
    func emptyNameIsRefused() {
        #expect(throws: LoopDeclarationError.self) {
            try PeriodicLoop(name: "", periodNanoseconds: 1_000_000) { _ in }
        }
    }

    @Test("a rate becomes the period in whole nanoseconds")
    func rateBecomesAPeriod() throws {
        #expect(try PeriodicLoop(name: "control", rateHz: 1000) { _ in }.periodNanoseconds == 1_000_000)
        #expect(try PeriodicLoop(name: "perception", rateHz: 30) { _ in }.periodNanoseconds == 33_333_333)
        #expect(throws: LoopDeclarationError.self) { try PeriodicLoop(name: "control", rateHz: 0) { _ in } }
    }

    @Test("a loop runs on one executor at a time")
    func oneExecutorAtATime() throws {
        let loop = try PeriodicLoop(name: "control", periodNanoseconds: 1_000_000) { _ in }
        let first = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        #expect(throws: LoopExecutorError("loop control already runs on another executor; stop that one first")) {
            try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        }
        first.finish()
        let second = try VirtualTimeExecutor(clock: ManualClock(), loops: [loop])
        second.finish()
    }

    @Test("the deadline rule: a tick ending a whole period past the next deadline skips it")
    func deadlineRule() {
        var deadlines = LoopDeadlines(start: MonotonicInstant(nanoseconds: 0), periodNanoseconds: 1_000)
        #expect(deadlines.next.nanoseconds == 1_000)
        #expect(deadlines.advance(afterTickEndingAt: MonotonicInstant(nanoseconds: 1_200)) == 0)
        #expect(deadlines.next.nanoseconds == 2_000)
        // Ends at 2.9 µs: the 3 µs deadline has not passed, nothing missed, runs on time.
        #expect(deadlines.advance(afterTickEndingAt: MonotonicInstant(nanoseconds: 2_900)) == 0)
        #expect(deadlines.next.nanoseconds == 3_000)
        // Ends at 6.5 µs: 4 and 5 µs are a whole period behind and missed; 6 µs runs late.
        #expect(deadlines.advance(afterTickEndingAt: MonotonicInstant(nanoseconds: 6_500)) == 2)
        #expect(deadlines.next.nanoseconds == 6_000)
    }
}
