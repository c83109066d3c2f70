import Config
import HAL
import Testing

@testable import SimHAL

/// The simulated axis against closed-form mechanics: trapezoid moves, velocity ramps, current
/// under load, stall and hard stops. Stepped at 1 ms, like the world's tick.
struct SimDriveDynamicsTests {
    static let tickNanoseconds: UInt64 = 1_000_000

    /// A plank-like axis with round numbers: 100 counts/mm, 400 mm/s, 3000 mm/s², 2 kg, 80 N/A,
    /// idle 300 mA, limit 4300 mA (so 320 N available), window 5 mm, travel 0...500 mm.
    static func plank(travel: ClosedRange<Double>? = 0...500) -> SimDrive {
        SimDrive(parameters: SimDriveParameters(
            name: "plank", countsPerMM: 100, ratedCurrentMA: 3000, maxSpeedMMPerS: 400, maxAccelerationMMPerS2: 3000,
            maxCurrentMA: 4300, travelMM: travel, forceConstantNPerA: 80, idleCurrentMA: 300, movingMassKG: 2,
            followingErrorWindowMM: 5))
    }

    /// Walks to operation_enabled the way the HAL does (shutdown, switch on, enable operation).
    static func enable(_ drive: SimDrive, mode: DriveMode) throws {
        try drive.write(.modesOfOperation, value: Int64(mode.rawValue))
        try drive.write(.controlword, value: 0x06)
        try drive.write(.controlword, value: 0x07)
        try drive.write(.controlword, value: 0x0F)
        #expect(drive.state == .operationEnabled)
    }

    /// Profile position: target in mm, then a rising edge on bit 4.
    static func moveTo(_ drive: SimDrive, mm: Double) throws {
        try drive.write(.targetPosition, value: Int64((mm * drive.parameters.countsPerMM).rounded()))
        try drive.write(.controlword, value: 0x0F)
        try drive.write(.controlword, value: 0x1F)
    }

    /// Steps until `done` or `limitSeconds`; returns the simulated seconds it took.
    @discardableResult
    static func run(_ drive: SimDrive, limitSeconds: Double, until done: () -> Bool = { false }) -> Double {
        var ticks = 0
        let limit = Int(limitSeconds * 1000)
        while ticks < limit {
            drive.step(byNanoseconds: tickNanoseconds)
            ticks += 1
            if done() { break }
        }
        return Double(ticks) / 1000
    }

    @Test("A long profile-position move is a trapezoid: time and distance as in closed form")
    func trapezoidalMoveTakesTheClosedFormTime() throws {
        let drive = Self.plank()
        try Self.enable(drive, mode: .profilePosition)
        try Self.moveTo(drive, mm: 200)
        // Ramp 400/3000 = 0.1333 s over 26.67 mm each way; 146.67 mm cruise at 400 mm/s = 0.3667 s.
        let rampSeconds: Double = 400.0 / 3000
        let rampMM: Double = 400.0 * 400 / 2 / 3000
        let expectedSeconds: Double = 2 * rampSeconds + (200 - 2 * rampMM) / 400
        var peakSpeed = 0.0
        let seconds = Self.run(drive, limitSeconds: 2) {
            peakSpeed = max(peakSpeed, drive.velocityMMPerS)
            return drive.read(.statusword) & Int64(CiA402StatusBit.targetReached) != 0
        }
        #expect(abs(seconds - expectedSeconds) <= 0.004)
        #expect(abs(drive.positionMM - 200) < 0.01)
        #expect(drive.read(.positionActualValue) == 20_000)
        #expect(abs(peakSpeed - 400) < 1e-6)
        #expect(drive.velocityMMPerS == 0)
    }

    @Test("A short move never reaches cruise speed: a triangle, t = 2·sqrt(d/a)")
    func shortMoveIsATriangle() throws {
        let drive = Self.plank()
        try Self.enable(drive, mode: .profilePosition)
        try Self.moveTo(drive, mm: 30)
        let expectedSeconds = 2 * (30.0 / 3000).squareRoot()
        var peakSpeed = 0.0
        let seconds = Self.run(drive, limitSeconds: 1) {
            peakSpeed = max(peakSpeed, drive.velocityMMPerS)
            return drive.read(.statusword) & Int64(CiA402StatusBit.targetReached) != 0
        }
        #expect(abs(seconds - expectedSeconds) <= 0.004)
        #expect(abs(peakSpeed - (3000.0 * 30).squareRoot()) < 10)
        #expect(abs(drive.positionMM - 30) < 0.01)
    }

    @Test("Profile velocity ramps to the target in v/a seconds with the profile acceleration")
    func velocityRampTakesVelocityOverAcceleration() throws {
        let drive = Self.plank(travel: nil)
        try drive.write(.profileAcceleration, value: 2000 * 100)  // 2000 mm/s²
        try Self.enable(drive, mode: .profileVelocity)
        try drive.write(.targetVelocity, value: 300 * 100)
        let seconds = Self.run(drive, limitSeconds: 1) { drive.velocityMMPerS >= 300 }
        #expect(abs(seconds - 0.150) <= 0.0015)
        #expect(drive.read(.velocityActualValue) == 30_000)
        #expect(drive.read(.statusword) & Int64(CiA402StatusBit.targetReached) != 0)
        // Distance while ramping: v²/2a = 22.5 mm.
        #expect(abs(drive.positionMM - 22.5) < 0.5)
    }

    @Test("Current = idle + (load force + mass·acceleration) / force constant, reported per mille of rated")
    func currentFollowsLoadAndAcceleration() throws {
        let drive = Self.plank(travel: nil)
        try Self.enable(drive, mode: .profileVelocity)
        drive.load = SimDriveLoad(resistingForceN: 40)
        try drive.write(.targetVelocity, value: 300 * 100)
        Self.run(drive, limitSeconds: 0.05)
        // Accelerating at 3000 mm/s² with 2 kg against 40 N: 300 + (40 + 6) / 80 A = 875 mA.
        #expect(abs(drive.currentMA - 875) < 1)
        Self.run(drive, limitSeconds: 0.2)
        // Cruising: 300 + 40 / 80 A = 800 mA = 267 ‰ of 3000 mA.
        #expect(abs(drive.currentMA - 800) < 1e-6)
        #expect(drive.read(.currentActualValue) == 267)
        #expect(drive.forceN == 40)
        #expect(!drive.isStalled)
    }

    @Test("A load above what the current limit can push stalls the axis and faults it with 0x8611")
    func loadAboveTheCurrentLimitStallsIntoFollowingErrorFault() throws {
        let drive = Self.plank(travel: nil)
        try Self.enable(drive, mode: .profileVelocity)
        drive.load = SimDriveLoad(resistingForceN: 400)  // 320 N available
        try drive.write(.targetVelocity, value: 100 * 100)
        Self.run(drive, limitSeconds: 0.02)
        #expect(drive.isStalled)
        #expect(drive.positionMM == 0)
        #expect(drive.currentMA == 4300)
        #expect(drive.read(.statusword) & Int64(CiA402StatusBit.internalLimitActive) != 0)
        // The demand runs away from the stalled axis: 5 mm after the ramp, about 0.075 s.
        let seconds = Self.run(drive, limitSeconds: 1) { drive.state.isFault }
        #expect(seconds < 0.1)
        Self.run(drive, limitSeconds: 0.1)
        #expect(drive.state == .fault)
        #expect(drive.errorCode == 0x8611)
        #expect(drive.read(.errorCode) == 0x8611)
    }

    @Test("A hard stop holds the axis; pushing into it saturates the current; inside the window it does not fault")
    func hardStopHoldsTheAxis() throws {
        let drive = Self.plank()
        try Self.enable(drive, mode: .profilePosition)
        drive.load = SimDriveLoad(blockedAboveMM: 100)
        try Self.moveTo(drive, mm: 103)  // 3 mm into the stop, inside the 5 mm window
        Self.run(drive, limitSeconds: 1)
        #expect(drive.positionMM == 100)
        #expect(drive.velocityMMPerS == 0)
        #expect(drive.isStalled)
        #expect(drive.currentMA == 4300)
        #expect(abs(drive.forceN - 320) < 1e-6)
        #expect(drive.state == .operationEnabled)
        #expect(drive.read(.statusword) & Int64(CiA402StatusBit.targetReached) == 0)

        drive.load = .free
        Self.run(drive, limitSeconds: 0.5)
        #expect(abs(drive.positionMM - 103) < 0.01)
        #expect(!drive.isStalled)
    }

    @Test("Pushing further into a hard stop than the window faults with 0x8611 and sets bit 13 in profile position")
    func hardStopBeyondTheWindowFaults() throws {
        let drive = Self.plank()
        try Self.enable(drive, mode: .profilePosition)
        drive.load = SimDriveLoad(blockedAboveMM: 50)
        try Self.moveTo(drive, mm: 100)
        Self.run(drive, limitSeconds: 1) { drive.state == .fault }
        #expect(drive.state == .fault)
        #expect(drive.errorCode == 0x8611)
        #expect(drive.read(.statusword) & (1 << 13) != 0)
        #expect(drive.positionMM == 50)
    }

    @Test("Targets outside the travel are clamped to it, with internal limit active")
    func targetOutsideTravelIsClamped() throws {
        let drive = Self.plank(travel: 0...120)
        try Self.enable(drive, mode: .profilePosition)
        try Self.moveTo(drive, mm: 150)
        Self.run(drive, limitSeconds: 2) { drive.read(.statusword) & Int64(CiA402StatusBit.targetReached) != 0 }
        #expect(abs(drive.positionMM - 120) < 0.01)
        #expect(drive.read(.statusword) & Int64(CiA402StatusBit.internalLimitActive) != 0)
    }

    @Test("Profile velocity toward a travel limit brakes to stop at the limit")
    func velocityModeStopsAtTheTravelLimit() throws {
        let drive = Self.plank(travel: 0...80)
        try Self.enable(drive, mode: .profileVelocity)
        try drive.write(.targetVelocity, value: 400 * 100)
        Self.run(drive, limitSeconds: 1)
        #expect(abs(drive.positionMM - 80) < 0.01)
        #expect(drive.velocityMMPerS == 0)
        #expect(drive.state == .operationEnabled)
        #expect(drive.read(.statusword) & Int64(CiA402StatusBit.internalLimitActive) != 0)
    }

    @Test("Halt (bit 8) brakes on the profile deceleration and the move resumes when released")
    func haltStopsAndResumes() throws {
        let drive = Self.plank()
        try Self.enable(drive, mode: .profilePosition)
        try Self.moveTo(drive, mm: 300)
        Self.run(drive, limitSeconds: 0.3)
        try drive.write(.controlword, value: 0x11F)
        Self.run(drive, limitSeconds: 0.3)
        #expect(drive.velocityMMPerS == 0)
        let heldAt = drive.positionMM
        #expect(heldAt < 300)
        #expect(drive.read(.statusword) & Int64(CiA402StatusBit.targetReached) != 0)
        try drive.write(.controlword, value: 0x1F)
        Self.run(drive, limitSeconds: 2) { drive.read(.statusword) & Int64(CiA402StatusBit.targetReached) != 0 }
        #expect(abs(drive.positionMM - 300) < 0.01)
    }

    @Test("Role mechanics come with the config drive")
    func parametersFromConfig() {
        let parameters = SimDriveParameters.defaults(for: .plank)
        #expect(parameters.countsPerMM == 200)
        #expect(parameters.travelMM == 0...320)
        #expect(SimDriveParameters.defaults(for: .leftBelt).travelMM == nil)
        #expect(parameters.availableForceN == (1600.0 - 300.0) / 1000 * 80)  // sim.yaml: 1600 mA, 80 N/A, 300 mA idle
    }
}
