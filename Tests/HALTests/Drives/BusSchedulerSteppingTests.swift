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

    @Test("a report carries the drive's names; its error and fault come with the first failure and stay consistent")
    func reportNamesErrorsAndFault() throws {
        let belt = StandInDrive(name: "belt-left", answering: false)
        let jaw = StandInDrive(name: "jaw", answering: true)
        let scheduler = try BusScheduler(
            busName: "bus1", drives: [jaw, belt], options: .init(cycleRateHz: 100, faultAfterFailedCycles: 2), clock: ManualClock())
        let fresh = scheduler.latest(driveAt: 1)
        #expect(fresh.name == "belt-left")
        #expect(fresh.signalName == "bus1.drive.belt-left")
        #expect(fresh.lastError == nil && fresh.fault == nil && fresh.exchanges == 0)

        scheduler.runCycle()
        let once = scheduler.latest(driveAt: 1)
        #expect(once.lastError != nil)
        #expect(once.fault == nil)
        scheduler.runCycle()
        let twice = scheduler.latest(driveAt: 1)
        let fault = try #require(twice.fault)
        #expect(fault.signalName == "bus1.drive.belt-left")
        #expect(fault.failedCycles == 2)
        #expect(fault.lastError == twice.lastError)
        #expect(twice.failedExchanges == 2 && twice.exchanges == 2 && twice.consecutiveFailures == 2)
        // The earlier copy is a value: later cycles do not change it.
        #expect(once.consecutiveFailures == 1 && once.fault == nil)

        belt.setAnswering(true)
        scheduler.runCycle()
        let recovered = scheduler.latest(driveAt: 1)
        #expect(recovered.fault == nil)
        #expect(recovered.lastError == twice.lastError, "the last error is kept after recovery, for diagnosis")
        #expect(recovered.feedback != nil)
        #expect(scheduler.latest(driveAt: 0).name == "jaw" && scheduler.latest(driveAt: 0).lastError == nil)
        #expect(scheduler.latestReports().map(\.signalName) == ["bus1.drive.jaw", "bus1.drive.belt-left"])
    }

    @Test("the setpoint posted last is the one the next cycle sends, with or without the dead-man")
    func postedSetpointIsSent() throws {
        for maxAge in [nil, 25.0] {
            let belt = StandInDrive(name: "belt-right", answering: true)
            let scheduler = try BusScheduler(
                busName: "bus0", drives: [belt], options: .init(cycleRateHz: 100, setpointMaxAgeMilliseconds: maxAge),
                clock: ManualClock())
            #expect(scheduler.postedSetpoint(driveAt: 0).controlword == CiA402Controlword.disableVoltage.rawValue)
            let setpoint = DriveSetpoint(controlword: 0x000F, mode: .profileVelocity, targetVelocityMMPerS: 42)
            scheduler.post(setpoint, toDriveAt: 0)
            #expect(scheduler.postedSetpoint(driveAt: 0) == setpoint)
            scheduler.runCycle()
            #expect(belt.setpointsReceived.last == setpoint)
        }
    }

    /// Fails every exchange with an error of its own: `cause`'s text counts up.
    final class CountingFailureDrive: MotorDrive {
        let name: String
        private(set) var failures = 0

        init(name: String) {
            self.name = name
        }

        func exchange(_ setpoint: DriveSetpoint, deadline: MonotonicInstant) throws -> DriveFeedback {
            failures += 1
            throw HALError(device: "bus0 unit 1", cause: .protocolViolation("failure \(failures)"))
        }
    }

    @Test("two schedulers with drives of the same names keep their errors apart")
    func reportsOfTwoSchedulersDoNotShareErrors() throws {
        let failing = try BusScheduler(
            busName: "bus0", drives: [StandInDrive(name: "jaw", answering: false)], options: .init(cycleRateHz: 100), clock: ManualClock())
        let answering = try BusScheduler(
            busName: "bus0", drives: [StandInDrive(name: "jaw", answering: true)], options: .init(cycleRateHz: 100), clock: ManualClock())
        failing.runCycle()
        answering.runCycle()
        #expect(failing.latest(driveAt: 0).lastError != nil)
        #expect(answering.latest(driveAt: 0).lastError == nil)
        #expect(failing.latest(driveAt: 0).signalName == answering.latest(driveAt: 0).signalName)
    }

    @Test("a drive failing in more different ways than its record keeps still reports its latest error")
    func latestErrorSurvivesManyDifferentErrors() throws {
        let drive = CountingFailureDrive(name: "plank")
        let scheduler = try BusScheduler(busName: "bus0", drives: [drive], options: .init(cycleRateHz: 100), clock: ManualClock())
        scheduler.runCycle()
        let first = scheduler.latest(driveAt: 0)
        for _ in 0..<(DriveIdentity.maxErrors + 10) {
            scheduler.runCycle()
            let report = scheduler.latest(driveAt: 0)
            #expect(report.lastError?.cause == .protocolViolation("failure \(drive.failures)"))
            if let fault = report.fault {
                #expect(fault.lastError == report.lastError)
            }
        }
        // Early errors stay where they were recorded.
        #expect(first.lastError?.cause == .protocolViolation("failure 1"))
        #expect(scheduler.latest(driveAt: 0).fault?.failedCycles == DriveIdentity.maxErrors + 11)
    }
}

