import HAL
import Testing

@testable import SimHAL

/// The simulated drive's CiA 402 power state machine, walked with the HAL's own controlword
/// logic, plus quick stop, fault reset, STO, frozen feedback and injected error codes.
struct SimDriveStateMachineTests {
    static func drive() -> SimDrive { SimDriveDynamicsTests.plank() }

    static func state(_ drive: SimDrive) -> CiA402State? {
        CiA402State(statusword: UInt16(drive.read(.statusword)))
    }

    /// Walks with `CiA402Controlword.next(from:toward:)` exactly as `ModbusCiA402Drive` does;
    /// returns the controlwords sent.
    @discardableResult
    static func walk(_ drive: SimDrive, toward target: CiA402Target) throws -> [CiA402Controlword] {
        var sent: [CiA402Controlword] = []
        for _ in 0..<20 {
            let state = try #require(Self.state(drive))
            switch CiA402Controlword.next(from: state, toward: target) {
            case .arrived: return sent
            case let .send(controlword):
                sent.append(controlword)
                try drive.write(.controlword, value: Int64(controlword.rawValue))
            case .wait: drive.step(byNanoseconds: 1_000_000)
            case .blockedByFault: Issue.record("blocked by fault \(drive.errorCode)"); return sent
            }
        }
        Issue.record("walk toward \(target) did not arrive")
        return sent
    }

    @Test("Boots in switch_on_disabled with statusword 0x0250")
    func bootsInSwitchOnDisabled() {
        let drive = Self.drive()
        #expect(drive.state == .switchOnDisabled)
        #expect(drive.read(.statusword) == 0x0250)
        #expect(drive.read(.errorCode) == 0)
    }

    @Test("Every transition of the HAL's walk, up and down, lands where the walk expects")
    func halWalkReachesEveryTarget() throws {
        let drive = Self.drive()
        #expect(try Self.walk(drive, toward: .operationEnabled) == [.shutdown, .switchOn, .enableOperation])
        #expect(drive.read(.statusword) & 0x6F == 0x27)
        #expect(try Self.walk(drive, toward: .switchedOn) == [.disableOperation])  // 5
        #expect(try Self.walk(drive, toward: .readyToSwitchOn) == [.shutdown])  // 6
        #expect(try Self.walk(drive, toward: .switchOnDisabled) == [.disableVoltage])  // 7
        try Self.walk(drive, toward: .operationEnabled)
        #expect(try Self.walk(drive, toward: .readyToSwitchOn) == [.shutdown])  // 8
        try Self.walk(drive, toward: .operationEnabled)
        #expect(try Self.walk(drive, toward: .switchOnDisabled) == [.disableVoltage])  // 9
        try Self.walk(drive, toward: .switchedOn)
        #expect(try Self.walk(drive, toward: .switchOnDisabled) == [.disableVoltage])  // 10
    }

    @Test("Statusword per state, as CiA402State decodes it")
    func statuswordPerState() throws {
        let drive = Self.drive()
        try drive.write(.controlword, value: 0x06)
        #expect(drive.read(.statusword) & 0x6F == 0x21)
        try drive.write(.controlword, value: 0x07)
        #expect(drive.read(.statusword) & 0x6F == 0x23)
        try drive.write(.controlword, value: 0x0F)
        #expect(Self.state(drive) == .operationEnabled)
        try drive.write(.controlword, value: 0x02)
        #expect(Self.state(drive) == .quickStopActive)
    }

    @Test("Enable operation straight from ready_to_switch_on is transitions 3 + 4")
    func enableFromReadyGoesStraightToOperationEnabled() throws {
        let drive = Self.drive()
        try drive.write(.controlword, value: 0x06)
        try drive.write(.controlword, value: 0x0F)
        #expect(drive.state == .operationEnabled)
    }

    @Test("Switch on from switch_on_disabled is refused: shutdown comes first")
    func switchOnNeedsShutdownFirst() throws {
        let drive = Self.drive()
        try drive.write(.controlword, value: 0x0F)
        #expect(drive.state == .switchOnDisabled)
    }

    @Test("Quick stop brakes on 0x6085 in the expected time, then drops to switch_on_disabled")
    func quickStopRampsThenDisables() throws {
        let drive = SimDriveDynamicsTests.plank(travel: nil)
        try SimDriveDynamicsTests.enable(drive, mode: .profileVelocity)
        try drive.write(.targetVelocity, value: 300 * 100)
        SimDriveDynamicsTests.run(drive, limitSeconds: 0.3)
        try drive.write(.quickStopDeceleration, value: 6000 * 100)  // 6000 mm/s²: 50 ms from 300 mm/s
        try drive.write(.controlword, value: 0x02)
        #expect(drive.state == .quickStopActive)
        // Enable operation during the stop (transition 16) is refused.
        try drive.write(.controlword, value: 0x0F)
        #expect(drive.state == .quickStopActive)
        let seconds = SimDriveDynamicsTests.run(drive, limitSeconds: 1) { drive.state != .quickStopActive }
        #expect(abs(seconds - 0.050) <= 0.002)
        #expect(drive.state == .switchOnDisabled)
        #expect(drive.velocityMMPerS == 0)
        #expect(drive.currentMA == 0)
    }

    @Test("Disable voltage during quick stop is transition 12")
    func disableVoltageEndsQuickStop() throws {
        let drive = Self.drive()
        try Self.walk(drive, toward: .operationEnabled)
        try drive.write(.controlword, value: 0x02)
        #expect(try Self.walk(drive, toward: .switchOnDisabled) == [.disableVoltage])
    }

    @Test("An injected error code latches fault; enable is blocked; a fault reset edge clears it")
    func injectedErrorCodeLatchesUntilReset() throws {
        let drive = Self.drive()
        try Self.walk(drive, toward: .operationEnabled)
        drive.inject(.errorCode(0x2310))
        #expect(drive.state == .fault)  // at rest: straight to fault
        #expect(drive.read(.errorCode) == 0x2310)
        #expect(drive.read(.statusword) == 0x0218)
        #expect(CiA402Controlword.next(from: .fault, toward: .operationEnabled) == .blockedByFault)
        // Bit 7 held high does nothing; only its rising edge resets.
        try drive.write(.controlword, value: 0x80)
        #expect(drive.state == .switchOnDisabled)
        #expect(drive.errorCode == 0)
        drive.inject(.errorCode(0x4310))
        try drive.write(.controlword, value: 0x80)
        #expect(drive.state == .fault)
        try drive.write(.controlword, value: 0x00)
        try drive.write(.controlword, value: 0x80)
        #expect(drive.state == .switchOnDisabled)
        try Self.walk(drive, toward: .operationEnabled)
    }

    @Test("A fault while moving goes through fault_reaction_active, braking on the quick stop ramp")
    func faultWhileMovingReactsFirst() throws {
        let drive = SimDriveDynamicsTests.plank(travel: nil)
        try SimDriveDynamicsTests.enable(drive, mode: .profileVelocity)
        try drive.write(.targetVelocity, value: 200 * 100)
        SimDriveDynamicsTests.run(drive, limitSeconds: 0.2)
        drive.inject(.errorCode(0x4210))
        #expect(drive.state == .faultReactionActive)
        #expect(drive.read(.statusword) & 0x4F == 0x0F)
        SimDriveDynamicsTests.run(drive, limitSeconds: 1) { drive.state == .fault }
        #expect(drive.state == .fault)
        #expect(drive.velocityMMPerS == 0)
    }

    @Test("STO while enabled faults with 0x5441; reset fails until STO is released")
    func safeTorqueOffFaults() throws {
        let drive = SimDriveDynamicsTests.plank(travel: nil)
        try SimDriveDynamicsTests.enable(drive, mode: .profileVelocity)
        try drive.write(.targetVelocity, value: 200 * 100)
        SimDriveDynamicsTests.run(drive, limitSeconds: 0.2)
        drive.torqueEnabled = false
        #expect(drive.state == .fault)
        #expect(drive.errorCode == SimDrive.safeTorqueOffErrorCode)
        SimDriveDynamicsTests.run(drive, limitSeconds: 0.5)
        #expect(drive.velocityMMPerS == 0)
        #expect(drive.currentMA == 0)

        try drive.write(.controlword, value: 0x00)
        try drive.write(.controlword, value: 0x80)
        #expect(drive.state == .fault)  // cause still present
        drive.torqueEnabled = true
        try drive.write(.controlword, value: 0x00)
        try drive.write(.controlword, value: 0x80)
        #expect(drive.state == .switchOnDisabled)
    }

    @Test("Enabling operation with STO active faults with 0x5441 instead of energizing")
    func enableWithSafeTorqueOffFaults() throws {
        let drive = Self.drive()
        drive.torqueEnabled = false
        try drive.write(.controlword, value: 0x06)
        try drive.write(.controlword, value: 0x07)
        #expect(drive.state == .switchedOn)
        try drive.write(.controlword, value: 0x0F)
        #expect(drive.state == .fault)
        #expect(drive.errorCode == 0x5441)
    }

    @Test("Frozen feedback: statusword and actual values stop changing while the axis moves on")
    func frozenFeedbackStopsTheBusValues() throws {
        let drive = SimDriveDynamicsTests.plank(travel: nil)
        try SimDriveDynamicsTests.enable(drive, mode: .profileVelocity)
        try drive.write(.targetVelocity, value: 100 * 100)
        SimDriveDynamicsTests.run(drive, limitSeconds: 0.1)
        drive.inject(.frozenFeedback)
        let frozen = (drive.read(.statusword), drive.read(.positionActualValue), drive.read(.velocityActualValue))
        SimDriveDynamicsTests.run(drive, limitSeconds: 0.2)
        try drive.write(.controlword, value: 0x07)  // disable operation: state changes, statusword does not
        #expect(drive.read(.statusword) == frozen.0)
        #expect(drive.read(.positionActualValue) == frozen.1)
        #expect(drive.read(.velocityActualValue) == frozen.2)
        #expect(drive.positionMM * 100 > Double(frozen.1) + 1000)
        drive.clearInjectedFaults()
        #expect(Self.state(drive) == .switchedOn)
        #expect(drive.read(.positionActualValue) == Int64((drive.positionMM * 100).rounded()))
    }

    @Test("An injected stall seizes the axis until cleared")
    func injectedStallSeizesTheAxis() throws {
        let drive = Self.drive()
        try SimDriveDynamicsTests.enable(drive, mode: .profilePosition)
        drive.inject(.stall)
        try SimDriveDynamicsTests.moveTo(drive, mm: 100)
        SimDriveDynamicsTests.run(drive, limitSeconds: 1) { drive.state == .fault }
        #expect(drive.positionMM == 0)
        #expect(drive.errorCode == 0x8611)
        drive.clearInjectedFaults()
        try drive.write(.controlword, value: 0x80)
        try SimDriveDynamicsTests.enable(drive, mode: .profilePosition)
        try drive.write(.controlword, value: 0x0F)
        try drive.write(.controlword, value: 0x1F)
        SimDriveDynamicsTests.run(drive, limitSeconds: 1)
        #expect(abs(drive.positionMM - 100) < 0.01)
    }

    @Test("Set-point acknowledge (bit 12) rises with bit 4 and drops when bit 4 drops")
    func setpointHandshake() throws {
        let drive = Self.drive()
        try SimDriveDynamicsTests.enable(drive, mode: .profilePosition)
        try SimDriveDynamicsTests.moveTo(drive, mm: 10)
        #expect(drive.read(.statusword) & (1 << 12) != 0)
        #expect(drive.read(.statusword) & Int64(CiA402StatusBit.targetReached) == 0)
        try drive.write(.controlword, value: 0x0F)
        #expect(drive.read(.statusword) & (1 << 12) == 0)
    }

    @Test("Writes the drive refuses throw a clear error and change nothing")
    func refusedWrites() throws {
        let drive = Self.drive()
        #expect(throws: SimDriveWriteError.readOnly(.statusword)) { try drive.write(.statusword, value: 0) }
        #expect(throws: SimDriveWriteError.self) { try drive.write(.modesOfOperation, value: 6) }
        #expect(throws: SimDriveWriteError.self) { try drive.write(.profileAcceleration, value: 0) }
        #expect(throws: SimDriveWriteError.self) { try drive.write(.controlword, value: 0x1_0000) }
        #expect(throws: SimDriveWriteError.self) { try drive.write(.targetPosition, value: Int64(Int32.max) + 1) }
        #expect(drive.read(.modesOfOperation) == 0)
        let error = SimDriveWriteError.refused(.modesOfOperation, value: 6, reason: "supported modes are 0 (none), 1 (profile position), 3 (profile velocity)")
        #expect(error.description.contains("0x6060 mode refuses 6"))
    }
}
