import Foundation
import Testing

@testable import HAL

/// The CiA 402 drive and the bus scheduler against the independent Python drive model
/// (Tests/Peers/cia402_peer.py): the power state machine, faults, motion, and a dead drive.
///
/// Serialized: each test starts its own peer. Waits are for conditions, never on durations.
@Suite(.serialized) struct DrivePeerIntegrationTests {
    static let settings = SerialSettings(baud: 115_200, parity: .none, stopBits: .two)
    /// 100 counts per mm: the peer's default profile velocity (10000 counts/s) is 100 mm/s.
    static let scaling = DriveScaling(countsPerMM: 100, ratedCurrentMilliamps: 2000)

    private func openBus(_ harness: ModbusPeerHarness, timeoutMilliseconds: Double = 1000, retries: Int = 2) throws
        -> (TermiosPort, ModbusRTUClient)
    {
        let port = try TermiosPort(path: harness.clientPath, settings: Self.settings)
        let client = ModbusRTUClient(
            stream: port, settings: Self.settings,
            options: .init(responseTimeoutMilliseconds: timeoutMilliseconds, maxRetries: retries), busName: "bus0")
        return (port, client)
    }

    private func deadline() -> MonotonicInstant { .inMilliseconds(5000) }

    /// Repeats `step` until it returns true or a generous limit passes; returns whether it did.
    private func eventually(_ step: () throws -> Bool) rethrows -> Bool {
        let giveUp = MonotonicInstant.inMilliseconds(10_000)
        while MonotonicInstant.now() < giveUp {
            if try step() { return true }
            usleep(5000)
        }
        return false
    }

    @Test func enableWalksFromSwitchOnDisabledToOperationEnabledAndDisableWalksBack() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openBus(harness)
        defer { port.close() }
        let drive = try ModbusCiA402Drive(name: "jaw", client: client, unit: 1, scaling: Self.scaling)

        #expect(try drive.readState(deadline: deadline()) == .switchOnDisabled)
        try drive.enable(deadline: deadline())
        #expect(try drive.readState(deadline: deadline()) == .operationEnabled)
        let peerStatusword = try #require(harness.send("get 1 0x6041").first?.split(separator: " ").last.flatMap { UInt16($0) })
        #expect(CiA402State(statusword: peerStatusword) == .operationEnabled)

        try drive.disable(deadline: deadline())
        #expect(try drive.readState(deadline: deadline()) == .switchOnDisabled)
        #expect(client.statistics.failedRequests == 0)
    }

    @Test func faultIsReportedWithItsMeaningAndClearedOnlyByFaultReset() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openBus(harness)
        defer { port.close() }
        let drive = try ModbusCiA402Drive(name: "plank", client: client, unit: 1, scaling: Self.scaling)
        try drive.enable(deadline: deadline())

        try harness.send("fault 1 0x2310")
        #expect(try eventually { try drive.readState(deadline: deadline()) == .fault })
        #expect(try drive.readErrorCode(deadline: deadline()) == CiA402ErrorCode(code: 0x2310))

        // Enabling does not clear it: it names it.
        let error = #expect(throws: HALError.self) { try drive.enable(deadline: deadline()) }
        #expect(error == HALError(device: "bus0.drive.plank", cause: .deviceFault(code: 0x2310, meaning: "continuous over-current")))

        #expect(try drive.faultReset(deadline: deadline()) == .switchOnDisabled)
        #expect(try drive.readErrorCode(deadline: deadline()).code == 0)
        try drive.enable(deadline: deadline())
        #expect(try drive.readState(deadline: deadline()) == .operationEnabled)
    }

    @Test func profileVelocityMovesTheDriveAndZeroVelocityStopsIt() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openBus(harness)
        defer { port.close() }
        let drive = try ModbusCiA402Drive(name: "belt-left", client: client, unit: 1, scaling: Self.scaling)
        try drive.configureMotion(
            profileVelocityMMPerS: 100, accelerationMMPerS2: 2000, decelerationMMPerS2: 2000,
            quickStopDecelerationMMPerS2: 10_000, deadline: deadline())
        try drive.enable(deadline: deadline())

        let run = DriveSetpoint(
            controlword: CiA402Controlword.enableOperation.rawValue, mode: .profileVelocity, targetVelocityMMPerS: 50)
        let start = try drive.exchange(run, deadline: deadline())
        var latest = start
        #expect(try eventually {
            latest = try drive.exchange(run, deadline: deadline())
            return latest.velocityMMPerS == 50
        })
        #expect(CiA402State(statusword: latest.statusword) == .operationEnabled)
        #expect(latest.positionMM > start.positionMM)
        #expect(latest.currentMilliamps > 0)
        #expect(latest.errorCode == 0)

        var stopping = run
        stopping.targetVelocityMMPerS = 0
        #expect(try eventually { try drive.exchange(stopping, deadline: deadline()).velocityMMPerS == 0 })
        try drive.disable(deadline: deadline())
    }

    @Test func quickStopBrakesTheMovingDriveIntoSwitchOnDisabled() throws {
        let harness = try ModbusPeerHarness(units: [1])
        defer { harness.stop() }
        let (port, client) = try openBus(harness)
        defer { port.close() }
        let drive = try ModbusCiA402Drive(name: "belt-right", client: client, unit: 1, scaling: Self.scaling)
        try drive.enable(deadline: deadline())
        let run = DriveSetpoint(
            controlword: CiA402Controlword.enableOperation.rawValue, mode: .profileVelocity, targetVelocityMMPerS: -80)
        #expect(try eventually { try drive.exchange(run, deadline: deadline()).velocityMMPerS < -10 })

        let afterCommand = try drive.quickStop(deadline: deadline())
        #expect(afterCommand == .quickStopActive || afterCommand == .switchOnDisabled)
        #expect(try eventually { try drive.readState(deadline: deadline()) == .switchOnDisabled })
        #expect(try drive.readFeedback(deadline: deadline()).velocityMMPerS == 0)
    }

    @Test func controllerWalksADriveThroughTheSchedulerWhileADeadDriveBecomesANamedFault() throws {
        let harness = try ModbusPeerHarness(units: [1, 2])
        defer { harness.stop() }
        // Short timeouts so the dead drive fails within its 50 ms slice of the cycle.
        let (port, client) = try openBus(harness, timeoutMilliseconds: 40, retries: 0)
        defer { port.close() }
        let jaw = try ModbusCiA402Drive(name: "jaw", client: client, unit: 1, scaling: Self.scaling)
        let plank = try ModbusCiA402Drive(name: "plank", client: client, unit: 2, scaling: Self.scaling)
        try harness.send("silent 2 on")

        let scheduler = try BusScheduler(
            busName: "bus0", drives: [jaw, plank], options: .init(cycleRateHz: 10, faultAfterFailedCycles: 3))
        scheduler.start()
        defer { scheduler.stop() }

        // The controller's side: read the newest feedback, post the next controlword of the walk.
        var jawState: CiA402State?
        let walked = eventually {
            guard let feedback = scheduler.latest("jaw")?.feedback else { return false }
            jawState = CiA402State(statusword: feedback.statusword)
            guard let state = jawState else { return false }
            switch CiA402Controlword.next(from: state, toward: .operationEnabled) {
            case .arrived:
                return true
            case let .send(controlword):
                try? scheduler.post(DriveSetpoint(controlword: controlword.rawValue, mode: .profilePosition), to: "jaw")
            case .wait, .blockedByFault:
                break
            }
            return false
        }
        #expect(walked, "jaw stayed in \(jawState?.name ?? "no state")")

        #expect(eventually { scheduler.latest("plank")?.fault != nil })
        let plankReport = try #require(scheduler.latest("plank"))
        let fault = try #require(plankReport.fault)
        #expect(fault.description.hasPrefix("bus0.drive.plank: no answer for "))
        #expect(fault.description.contains("cycles (check wiring, unit id, baud)"))
        #expect(fault.failedCycles >= 3)
        // Usually a timeout; on a loaded machine it can also be the jaw's late reply arriving in
        // the plank's slot, which the client rejects as a foreign unit. Never plank data.
        #expect(fault.lastError?.device == "bus0.drive.plank")
        #expect(plankReport.feedback == nil)

        // The jaw keeps answering (a slow cycle on a loaded machine may fail once, not for good).
        #expect(eventually { scheduler.latest("jaw")?.consecutiveFailures == 0 })
        #expect(scheduler.latest("jaw")?.feedbackTimestamp != nil)
    }
}
