import Foundation
import Testing

@testable import HAL

/// What the drive puts on the bus for one cycle, against an in-memory register file: order,
/// function codes, values, and scaling of the feedback. The state machine itself is exercised
/// against the Python peer in ModbusPeerIntegrationTests.
@Suite struct ModbusCiA402DriveTests {
    private let scaling = DriveScaling(countsPerMM: 1000, ratedCurrentMilliamps: 2500)

    private func makeDrive(statusword: UInt16) throws -> (ModbusCiA402Drive, RegisterFileUnit) {
        let unit = RegisterFileUnit(unit: 3)
        unit.registers[0x6041] = statusword
        unit.registers[0x6064] = 0x0001  // position 100000 counts = 100 mm
        unit.registers[0x6065] = 0x86A0
        unit.registers[0x606C] = 0xFFFF  // velocity -5000 counts/s = -5 mm/s
        unit.registers[0x606D] = 0xEC78
        unit.registers[0x6078] = 400  // 40 % of 2500 mA
        unit.registers[0x603F] = 0x0000
        let line = ScriptedLine { request in unit.answer(request) }
        let client = ModbusRTUClient(stream: line, settings: SerialSettings(), busName: "bus0")
        let drive = try ModbusCiA402Drive(name: "plank", client: client, unit: 3, scaling: scaling)
        return (drive, unit)
    }

    @Test func exchangeWritesModeTargetThenControlwordAndReadsStatusInTheSameTransaction() throws {
        let (drive, unit) = try makeDrive(statusword: 0x0237)
        let setpoint = DriveSetpoint(controlword: 0x000F, mode: .profileVelocity, targetVelocityMMPerS: 12.5)
        let feedback = try drive.exchange(setpoint, deadline: .inMilliseconds(500))

        #expect(unit.functions == [0x06, 0x10, 0x17, 0x03, 0x03, 0x03])
        #expect(unit.writes.map(\.address) == [0x6060, 0x60FF, 0x6040])
        #expect(unit.registers[0x6060] == 3)
        #expect(unit.registers[0x60FF] == 0x0000 && unit.registers[0x6100] == 12_500)
        #expect(unit.registers[0x6040] == 0x000F)
        #expect(feedback == DriveFeedback(
            statusword: 0x0237, positionMM: 100, velocityMMPerS: -5, currentMilliamps: 1000, errorCode: 0))
    }

    @Test func modeIsWrittenOnceTheDriveIsEnabled() throws {
        let (drive, unit) = try makeDrive(statusword: 0x0237)
        let setpoint = DriveSetpoint(controlword: 0x000F, mode: .profileVelocity, targetVelocityMMPerS: 1)
        _ = try drive.exchange(setpoint, deadline: .inMilliseconds(500))
        _ = try drive.exchange(setpoint, deadline: .inMilliseconds(500))
        #expect(unit.functions == [0x06, 0x10, 0x17, 0x03, 0x03, 0x03, 0x10, 0x17, 0x03, 0x03, 0x03])
    }

    @Test func modeIsRewrittenEveryCycleWhileTheDriveIsNotEnabled() throws {
        // A drive that rebooted has forgotten its mode; until it is enabled we keep telling it.
        let (drive, unit) = try makeDrive(statusword: 0x0250)
        let setpoint = DriveSetpoint(controlword: 0x0006, mode: .profilePosition, targetPositionMM: -0.5)
        _ = try drive.exchange(setpoint, deadline: .inMilliseconds(500))
        _ = try drive.exchange(setpoint, deadline: .inMilliseconds(500))
        #expect(unit.writes.map(\.address) == [0x6060, 0x607A, 0x6040, 0x6060, 0x607A, 0x6040])
        #expect(unit.registers[0x607A] == 0xFFFF && unit.registers[0x607B] == 0xFE0C)
    }

    @Test func targetThatDoesNotFitTheObjectIsRefusedNamingTheDrive() throws {
        let (drive, unit) = try makeDrive(statusword: 0x0237)
        let setpoint = DriveSetpoint(controlword: 0x000F, mode: .profilePosition, targetPositionMM: 1e9)
        let error = #expect(throws: HALError.self) { try drive.exchange(setpoint, deadline: .inMilliseconds(500)) }
        #expect(error?.device == "bus0.drive.plank")
        #expect(unit.functions.isEmpty)
    }

    @Test func clientErrorsAreRenamedToTheDrive() throws {
        let line = ScriptedLine { _ in [] }
        let client = ModbusRTUClient(
            stream: line, settings: SerialSettings(), options: .init(responseTimeoutMilliseconds: 5, maxRetries: 0), busName: "bus0")
        let drive = try ModbusCiA402Drive(name: "jaw", client: client, unit: 1, scaling: scaling)
        let error = #expect(throws: HALError.self) { try drive.readState(deadline: .inMilliseconds(500)) }
        #expect(error == HALError(device: "bus0.drive.jaw", cause: .timeout))
    }

    @Test func readStateDecodesTheStatusword() throws {
        let (drive, _) = try makeDrive(statusword: 0x0231)
        #expect(try drive.readState(deadline: .inMilliseconds(500)) == .readyToSwitchOn)
    }

    @Test func unreadableStatuswordIsAViolationNotAGuess() throws {
        let (drive, _) = try makeDrive(statusword: 0x0061)
        let error = #expect(throws: HALError.self) { try drive.readState(deadline: .inMilliseconds(500)) }
        #expect(error?.cause == .protocolViolation("statusword 0x61 matches no CiA 402 state"))
    }

    @Test func enablingAFaultedDriveReportsItsErrorCodeInsteadOfResettingIt() throws {
        let (drive, unit) = try makeDrive(statusword: 0x0218)
        unit.registers[0x603F] = 0x2310
        let error = #expect(throws: HALError.self) { try drive.enable(deadline: .inMilliseconds(500)) }
        #expect(error?.cause == .deviceFault(code: 0x2310, meaning: "continuous over-current"))
        #expect(!unit.writes.contains { $0.address == 0x6040 })
    }

    @Test func motionParametersGoOneObjectAtATimeInTheDirectProfile() throws {
        let (drive, unit) = try makeDrive(statusword: 0x0250)
        try drive.configureMotion(
            profileVelocityMMPerS: 10, accelerationMMPerS2: 100, decelerationMMPerS2: 200,
            quickStopDecelerationMMPerS2: 1000, deadline: .inMilliseconds(500))
        #expect(unit.functions == [0x10, 0x10, 0x10, 0x10])
        #expect(unit.writes.map(\.address) == [0x6081, 0x6083, 0x6084, 0x6085])
        #expect(unit.registers[0x6085] == 0x000F && unit.registers[0x6086] == 0x4240)
    }

    @Test func unitIdAndScalingAreCheckedWhenTheDriveIsMade() {
        let client = ModbusRTUClient(stream: ScriptedLine { _ in [] }, settings: SerialSettings(), busName: "bus0")
        #expect(throws: HALError.self) { try ModbusCiA402Drive(name: "jaw", client: client, unit: 0, scaling: scaling) }
        let badScaling = DriveScaling(countsPerMM: 0, ratedCurrentMilliamps: 1000)
        #expect(throws: HALError.self) { try ModbusCiA402Drive(name: "jaw", client: client, unit: 1, scaling: badScaling) }
    }

    /// Every frame the drive sent in `calls`, as hex: the bytes on the wire of a whole session.
    private func framesOf(_ calls: (ModbusCiA402Drive, RegisterFileUnit) throws -> Void) throws -> [String] {
        let unit = RegisterFileUnit(unit: 3)
        unit.registers[0x6041] = 0x0237
        unit.registers[0x6064] = 0x0001
        unit.registers[0x6065] = 0x86A0
        let line = ScriptedLine { request in unit.answer(request) }
        let client = ModbusRTUClient(stream: line, settings: SerialSettings(), busName: "bus0")
        let drive = try ModbusCiA402Drive(name: "plank", client: client, unit: 3, scaling: scaling)
        try calls(drive, unit)
        return line.written.map { frame in frame.map { byte in String(format: "%02X", byte) }.joined() }
    }

    @Test func theBytesOnTheWireOfEveryKindOfCallAreExactlyTheseFrames() throws {
        let profile = DriveMotionProfile(velocityMMPerS: 200, accelerationMMPerS2: 2000, decelerationMMPerS2: 1500)
        let frames = try framesOf { drive, unit in
            // Enabled, velocity mode with a motion profile.
            let moving = DriveSetpoint(controlword: 0x000F, mode: .profileVelocity, targetVelocityMMPerS: -12.5, motionProfile: profile)
            _ = try drive.exchange(moving, deadline: .inMilliseconds(500))
            // The same again: only the target and the controlword.
            _ = try drive.exchange(moving, deadline: .inMilliseconds(500))
            // Position mode: the mode goes out again.
            _ = try drive.exchange(
                DriveSetpoint(controlword: 0x001F, mode: .profilePosition, targetPositionMM: 250.5), deadline: .inMilliseconds(500))
            // Not enabled: mode and profile go out again from the cycle after the first.
            unit.registers[0x6041] = 0x0250
            let walking = DriveSetpoint(controlword: 0x0006, mode: .profilePosition, targetPositionMM: 1, motionProfile: profile)
            _ = try drive.exchange(walking, deadline: .inMilliseconds(500))
            _ = try drive.exchange(walking, deadline: .inMilliseconds(500))
            _ = try drive.readFeedback(deadline: .inMilliseconds(500))
            _ = try drive.readObject(.targetVelocity, deadline: .inMilliseconds(500))
            try drive.writeObject(.controlword, value: 0x0007, deadline: .inMilliseconds(500))
            try drive.configureMotion(
                profileVelocityMMPerS: 10, accelerationMMPerS2: 100, decelerationMMPerS2: 200,
                quickStopDecelerationMMPerS2: 1000, deadline: .inMilliseconds(500))
            _ = try drive.quickStop(deadline: .inMilliseconds(500))
        }
        #expect(frames == Self.expectedFrames)
    }

    /// Recorded from the drive before its cyclic path stopped allocating (commit 715e12d); any
    /// change here changes what real drives receive.
    private static let expectedFrames: [String] = [
        // enabled, velocity, with a profile: mode, profile, target by address; controlword + status on 0x17; feedback
        "030660600003D637", "0310608100020400030D406CD9", "03106083000204001E84801AC6", "031060840002040016E360F15A",
        "031060FF000204FFFFCF2C4B18", "0317603F00036040000102000F3239", "0303606400029A36", "0303606C00021BF4",
        "0303607800011BF1",
        // the same again: target, 0x17, feedback
        "031060FF000204FFFFCF2C4B18", "0317603F00036040000102000F3239", "0303606400029A36", "0303606C00021BF4",
        "0303607800011BF1",
        // position mode: the mode again
        "03066060000157F6", "0310607A0002040003D2847B8D", "0317603F00036040000102001F33F5", "0303606400029A36",
        "0303606C00021BF4", "0303607800011BF1",
        // not enabled yet: what was written while enabled stands
        "0310607A000204000003E8D7F0", "0317603F000360400001020006F23F", "0303606400029A36", "0303606C00021BF4",
        "0303607800011BF1",
        // not enabled after a cycle that was not: mode and profile again
        "03066060000157F6", "0310607A000204000003E8D7F0", "0310608100020400030D406CD9", "03106083000204001E84801AC6",
        "031060840002040016E360F15A", "0317603F000360400001020006F23F", "0303606400029A36", "0303606C00021BF4",
        "0303607800011BF1",
        // readFeedback
        "0303603F00032A25", "0303606400029A36", "0303606C00021BF4", "0303607800011BF1",
        // readObject(.targetVelocity)
        "030360FF0002EBD9",
        // writeObject(.controlword)
        "030660400007D63E",
        // configureMotion: one object at a time
        "03106081000204000027108385", "03106083000204000186A02BB8", "0310608400020400030D40ACE6", "03106085000204000F42409919",
        // quickStop: controlword + statusword on 0x17
        "0317604100016040000102000211FB",
    ]
}
