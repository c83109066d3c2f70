import Foundation
import Testing

@testable import HAL

/// The bus loop with stand-in drives: latest-value handoff, named comm faults, setpoint posting.
/// Tests wait for conditions (with a generous limit), never for or on durations.
@Suite struct BusSchedulerTests {
    /// A drive that answers with its last setpoint's controlword as statusword, or fails.
    final class StandInDrive: MotorDrive, @unchecked Sendable {
        let name: String
        private let lock = NSLock()
        private var answering: Bool
        private var received: [DriveSetpoint] = []

        init(name: String, answering: Bool) {
            self.name = name
            self.answering = answering
        }

        var setpointsReceived: [DriveSetpoint] {
            lock.lock()
            defer { lock.unlock() }
            return received
        }

        func setAnswering(_ value: Bool) {
            lock.lock()
            answering = value
            lock.unlock()
        }

        func exchange(_ setpoint: DriveSetpoint, deadline: MonotonicInstant) throws -> DriveFeedback {
            lock.lock()
            defer { lock.unlock() }
            received.append(setpoint)
            guard answering else { throw HALError(device: "bus0 unit 9", cause: .timeout) }
            return DriveFeedback(
                statusword: setpoint.controlword, positionMM: setpoint.targetPositionMM, velocityMMPerS: 0,
                currentMilliamps: 0, errorCode: 0)
        }
    }

    /// Polls `condition` until it holds or a generous limit passes; returns whether it held.
    private func eventually(_ condition: () -> Bool) -> Bool {
        let giveUp = MonotonicInstant.inMilliseconds(10_000)
        while MonotonicInstant.now() < giveUp {
            if condition() { return true }
            usleep(2000)
        }
        return condition()
    }

    @Test func driveThatStopsAnsweringBecomesANamedFaultWhileTheOthersKeepReporting() throws {
        let jaw = StandInDrive(name: "jaw", answering: true)
        let plank = StandInDrive(name: "plank", answering: false)
        let scheduler = try BusScheduler(
            busName: "bus0", drives: [jaw, plank], options: .init(cycleRateHz: 200, faultAfterFailedCycles: 3))
        scheduler.start()
        defer { scheduler.stop() }

        #expect(eventually { scheduler.latest("plank")?.fault != nil })
        let plankReport = try #require(scheduler.latest("plank"))
        let fault = try #require(plankReport.fault)
        #expect(fault.description.hasPrefix("bus0.drive.plank: no answer for "))
        #expect(fault.description.contains(" cycles (check wiring, unit id, baud)"))
        #expect(fault.failedCycles >= 3)
        #expect(plankReport.feedback == nil)

        let jawReport = try #require(scheduler.latest("jaw"))
        #expect(jawReport.fault == nil)
        #expect(jawReport.consecutiveFailures == 0)
        #expect(jawReport.feedback != nil)
        #expect(jawReport.feedbackTimestamp != nil)
    }

    @Test func faultClearsWhenTheDriveAnswersAgain() throws {
        let belt = StandInDrive(name: "belt-left", answering: false)
        let scheduler = try BusScheduler(busName: "bus0", drives: [belt], options: .init(cycleRateHz: 200, faultAfterFailedCycles: 2))
        scheduler.start()
        defer { scheduler.stop() }
        #expect(eventually { scheduler.latest("belt-left")?.fault != nil })
        belt.setAnswering(true)
        #expect(eventually { scheduler.latest("belt-left")?.fault == nil })
        #expect(scheduler.latest("belt-left")?.lastError != nil)
    }

    @Test func postedSetpointReachesTheDriveAndItsFeedbackComesBack() throws {
        let jaw = StandInDrive(name: "jaw", answering: true)
        let scheduler = try BusScheduler(busName: "bus0", drives: [jaw], options: .init(cycleRateHz: 200))
        scheduler.start()
        defer { scheduler.stop() }

        #expect(eventually { scheduler.latest("jaw")?.feedback?.statusword == CiA402Controlword.disableVoltage.rawValue })
        try scheduler.post(DriveSetpoint(controlword: 0x000F, mode: .profilePosition, targetPositionMM: 42), to: "jaw")
        #expect(eventually { scheduler.latest("jaw")?.feedback?.positionMM == 42 })
        #expect(scheduler.latest("jaw")?.feedback?.statusword == 0x000F)
    }

    @Test func untilAnythingIsPostedDrivesGetDisableVoltage() throws {
        let plank = StandInDrive(name: "plank", answering: true)
        let scheduler = try BusScheduler(busName: "bus0", drives: [plank], options: .init(cycleRateHz: 200))
        scheduler.start()
        #expect(eventually { !plank.setpointsReceived.isEmpty })
        scheduler.stop()
        #expect(plank.setpointsReceived.allSatisfy { $0.controlword == 0x0000 })
    }

    @Test func staleSetpointIsSentAsQuickStopWhenTheDeadManIsOn() throws {
        let belt = StandInDrive(name: "belt-right", answering: true)
        let scheduler = try BusScheduler(
            busName: "bus0", drives: [belt], options: .init(cycleRateHz: 200, setpointMaxAgeMilliseconds: 1))
        try scheduler.post(DriveSetpoint(controlword: 0x000F, mode: .profileVelocity, targetVelocityMMPerS: 100), to: "belt-right")
        scheduler.start()
        defer { scheduler.stop() }
        #expect(eventually { belt.setpointsReceived.last?.controlword == CiA402Controlword.quickStop.rawValue })
    }

    @Test func postingToAnUnknownDriveIsRefused() throws {
        let scheduler = try BusScheduler(busName: "bus0", drives: [StandInDrive(name: "jaw", answering: true)])
        #expect(throws: HALError.self) {
            try scheduler.post(DriveSetpoint(controlword: 0, mode: .profilePosition), to: "elbow")
        }
        #expect(scheduler.latest("elbow") == nil)
    }

    @Test func twoDrivesWithOneNameAreRefused() {
        let drives = [StandInDrive(name: "jaw", answering: true), StandInDrive(name: "jaw", answering: true)]
        #expect(throws: HALError.self) { try BusScheduler(busName: "bus0", drives: drives) }
    }

    @Test func stopWaitsForTheCycleInProgressAndNoCycleRunsAfter() throws {
        let jaw = StandInDrive(name: "jaw", answering: true)
        let scheduler = try BusScheduler(busName: "bus0", drives: [jaw], options: .init(cycleRateHz: 500))
        scheduler.start()
        #expect(eventually { jaw.setpointsReceived.count >= 3 })
        scheduler.stop()
        let countAtStop = jaw.setpointsReceived.count
        usleep(20_000)
        #expect(jaw.setpointsReceived.count == countAtStop)
        #expect(scheduler.cycleTiming.cycles >= 3)
    }
}
