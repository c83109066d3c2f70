import Foundation
import Testing

@testable import HAL

/// The bus loop stepped from outside, one `runCycle()` at a time, on a manual clock: what the
/// virtual-time executor does with it.
@Suite struct BusSchedulerSteppingTests {
    typealias StandInDrive = BusSchedulerTests.StandInDrive

    @Test("each runCycle exchanges with every drive once and stamps feedback with the clock's time")
    func runCycleExchangesOnceWithVirtualTimestamps() throws {
        let clock = ManualClock(start: MonotonicInstant(nanoseconds: 1_000_000))
        let jaw = StandInDrive(name: "jaw", answering: true)
        let plank = StandInDrive(name: "plank", answering: true)
        let scheduler = try BusScheduler(
            busName: "bus0", drives: [jaw, plank], options: .init(cycleRateHz: 100), clock: clock)
        #expect(scheduler.cyclePeriodNanoseconds == 10_000_000)

        scheduler.runCycle()
        #expect(jaw.setpointsReceived.count == 1)
        #expect(plank.setpointsReceived.count == 1)
        #expect(scheduler.latest("jaw")?.feedbackTimestamp == MonotonicInstant(nanoseconds: 1_000_000))

        clock.advance(byNanoseconds: 10_000_000)
        scheduler.runCycle()
        #expect(scheduler.latest(driveAt: 1).feedbackTimestamp == MonotonicInstant(nanoseconds: 11_000_000))
        #expect(scheduler.latest(driveAt: 1).exchanges == 2)
        #expect(scheduler.cycleTiming.cycles == 2)
        #expect(scheduler.cycleTiming.overruns == 0)
    }

    @Test("a silent drive faults after exactly the configured number of cycles")
    func faultAfterExactlyNCycles() throws {
        let belt = StandInDrive(name: "belt-left", answering: false)
        let scheduler = try BusScheduler(
            busName: "bus0", drives: [belt], options: .init(cycleRateHz: 100, faultAfterFailedCycles: 3), clock: ManualClock())
        scheduler.runCycle()
        scheduler.runCycle()
        #expect(scheduler.latest("belt-left")?.fault == nil)
        #expect(scheduler.latest("belt-left")?.consecutiveFailures == 2)
        scheduler.runCycle()
        #expect(scheduler.latest("belt-left")?.fault?.failedCycles == 3)
        belt.setAnswering(true)
        scheduler.runCycle()
        #expect(scheduler.latest("belt-left")?.fault == nil)
    }

    @Test("the setpoint dead-man works in virtual time")
    func deadManInVirtualTime() throws {
        let clock = ManualClock()
        let belt = StandInDrive(name: "belt-right", answering: true)
        let scheduler = try BusScheduler(
            busName: "bus0", drives: [belt], options: .init(cycleRateHz: 100, setpointMaxAgeMilliseconds: 25),
            clock: clock)
        try scheduler.post(DriveSetpoint(controlword: 0x000F, mode: .profileVelocity, targetVelocityMMPerS: 100), to: "belt-right")
        scheduler.runCycle()
        #expect(belt.setpointsReceived.last?.controlword == 0x000F)

        clock.advance(byNanoseconds: 20_000_000)
        scheduler.runCycle()
        #expect(belt.setpointsReceived.last?.controlword == 0x000F)

        clock.advance(byNanoseconds: 10_000_000)
        scheduler.runCycle()
        #expect(belt.setpointsReceived.last?.controlword == CiA402Controlword.quickStop.rawValue)

        scheduler.post(DriveSetpoint(controlword: 0x000F, mode: .profileVelocity), toDriveAt: 0)
        scheduler.runCycle()
        #expect(belt.setpointsReceived.last?.controlword == 0x000F)
    }
}
