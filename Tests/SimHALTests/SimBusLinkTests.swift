import HAL
import Testing

@testable import SimHAL

/// The real HAL stack (`ModbusRTUClient` + `ModbusCiA402Drive`) over `SimBusLink`, as the
/// controller will use it in simulation: it must not be able to tell the bus from a real one.
struct SimBusLinkTests {
    static let settings = SerialSettings(baud: 460_800, parity: .even, stopBits: .one)
    let jaw = SimDrive(parameters: SimDriveParameters.defaults(for: .jaw))
    let belt = SimDrive(parameters: SimDriveParameters.defaults(for: .leftBelt))
    let bus: SimModbusBus

    init() {
        bus = SimModbusBus(name: "bus0", drives: [1: jaw, 2: belt], seed: 42)
    }

    /// No inter-frame gap (virtual line) and no retries, so each fault shows on its own.
    func client(retries: Int = 0) -> ModbusRTUClient {
        ModbusRTUClient(
            stream: bus.stream, settings: Self.settings,
            options: .init(responseTimeoutMilliseconds: 15, maxRetries: retries, interFrameGapNanoseconds: 0), busName: "bus0")
    }

    func halDrive(_ name: String, unit: UInt8, client: ModbusRTUClient) throws -> ModbusCiA402Drive {
        let parameters = bus.drive(unit: unit)!.parameters
        return try ModbusCiA402Drive(
            name: name, client: client, unit: unit,
            scaling: DriveScaling(countsPerMM: parameters.countsPerMM, ratedCurrentMilliamps: parameters.ratedCurrentMA))
    }

    func deadline() -> MonotonicInstant { .inMilliseconds(2000) }

    /// One controller cycle: step the world 1 ms per exchange, as a 1 kHz tick would.
    func cycle(_ drive: ModbusCiA402Drive, _ setpoint: DriveSetpoint, steps: Int = 1) throws -> DriveFeedback {
        bus.step(byNanoseconds: UInt64(steps) * 1_000_000)
        return try drive.exchange(setpoint, deadline: deadline())
    }

    @Test("enable walks the simulated drive to operation_enabled through the real client")
    func enableOverTheLink() throws {
        let drive = try halDrive("jaw", unit: 1, client: client())
        try drive.enable(deadline: deadline())
        #expect(jaw.state == .operationEnabled)
        #expect(try drive.readState(deadline: deadline()) == .operationEnabled)
        try drive.disable(deadline: deadline())
        #expect(jaw.state == .switchOnDisabled)
    }

    @Test("A profile-position move through exchange lands on the target, feedback in mm")
    func profilePositionMove() throws {
        let drive = try halDrive("jaw", unit: 1, client: client())
        try drive.enable(deadline: deadline())
        let enabled = CiA402Controlword.enableOperation
        var setpoint = DriveSetpoint(controlword: enabled.rawValue, mode: .profilePosition, targetPositionMM: 40)
        _ = try cycle(drive, setpoint)
        setpoint.controlword = enabled.withNewSetpoint().rawValue
        var feedback = try cycle(drive, setpoint)
        #expect(feedback.statusword & CiA402StatusBit.operationModeSpecific12 != 0)
        for _ in 0..<100 where feedback.statusword & CiA402StatusBit.targetReached == 0 {
            feedback = try cycle(drive, setpoint, steps: 10)
        }
        #expect(feedback.statusword & CiA402StatusBit.targetReached != 0)
        #expect(abs(feedback.positionMM - 40) < 0.01)
        #expect(feedback.currentMilliamps > 0)
        #expect(feedback.errorCode == 0)
    }

    @Test("exchange writes the motion profile (0x6081, 0x6083, 0x6084) while the drive is enabled, then again only when it changes")
    func motionProfileAtEnable() throws {
        let drive = try halDrive("jaw", unit: 1, client: client())
        let profile = DriveMotionProfile(velocityMMPerS: 120, accelerationMMPerS2: 1500, decelerationMMPerS2: 1200)
        func setpoint(_ word: CiA402Controlword, _ profile: DriveMotionProfile) -> DriveSetpoint {
            DriveSetpoint(controlword: word.rawValue, mode: .profilePosition, targetPositionMM: 160, motionProfile: profile)
        }
        var feedback = try cycle(drive, setpoint(.disableVoltage, profile))
        for _ in 0..<10 {
            guard let state = CiA402State(statusword: feedback.statusword), state != .operationEnabled else { break }
            var word = CiA402Controlword.enableOperation
            if case let .send(next) = CiA402Controlword.next(from: state, toward: .operationEnabled) { word = next }
            feedback = try cycle(drive, setpoint(word, profile))
        }
        #expect(jaw.state == .operationEnabled)
        #expect(jaw.read(.profileVelocity) == 120 * 400)
        #expect(jaw.read(.profileAcceleration) == 1500 * 400)
        #expect(jaw.read(.profileDeceleration) == 1200 * 400)

        let repliesBefore = bus.link.replyCount
        _ = try cycle(drive, setpoint(.enableOperation, profile))
        let repliesPerCycle = bus.link.replyCount - repliesBefore
        try jaw.write(.profileVelocity, value: 20_000)
        _ = try cycle(drive, setpoint(.enableOperation, profile))
        #expect(jaw.read(.profileVelocity) == 20_000, "an unchanged profile is not written again once enabled")

        var faster = profile
        faster.velocityMMPerS = 150
        let repliesBeforeChange = bus.link.replyCount
        _ = try cycle(drive, setpoint(.enableOperation, faster))
        // Three more transactions: 0x6081, 0x6083 and 0x6084 (the last two overlap in cia402-direct, so each goes alone).
        #expect(bus.link.replyCount - repliesBeforeChange == repliesPerCycle + 3)
        #expect(jaw.read(.profileVelocity) == 150 * 400)
    }

    @Test("A profile-velocity run reaches the target speed and moves the belt")
    func profileVelocityRun() throws {
        let drive = try halDrive("left-belt", unit: 2, client: client())
        try drive.configureMotion(
            profileVelocityMMPerS: 300, accelerationMMPerS2: 3000, decelerationMMPerS2: 3000,
            quickStopDecelerationMMPerS2: 8000, deadline: deadline())
        try drive.enable(deadline: deadline())
        let run = DriveSetpoint(controlword: CiA402Controlword.enableOperation.rawValue, mode: .profileVelocity, targetVelocityMMPerS: 250)
        var feedback = try cycle(drive, run)
        for _ in 0..<30 { feedback = try cycle(drive, run, steps: 10) }
        #expect(abs(feedback.velocityMMPerS - 250) < 0.02)
        #expect(feedback.positionMM > 10)
        #expect(feedback.statusword & CiA402StatusBit.targetReached != 0)
    }

    @Test("Each link fault surfaces as the HALError the client throws on real hardware, and the bus recovers")
    func linkFaultsLookLikeRealOnes() throws {
        let drive = try halDrive("jaw", unit: 1, client: client())
        _ = try drive.readState(deadline: deadline())

        bus.link.inject(.silent, .burst(1))
        #expect(throws: HALError(device: "bus0.drive.jaw", cause: .timeout)) { try drive.readState(deadline: deadline()) }

        bus.link.inject(.corruptedCRC, .burst(1))
        #expect(throws: HALError(device: "bus0.drive.jaw", cause: .protocolViolation("bad CRC"))) {
            try drive.readState(deadline: deadline())
        }

        bus.link.inject(.garbledFrame, .burst(1))
        let garbled = #expect(throws: HALError.self) { try drive.readState(deadline: deadline()) }
        guard case let .protocolViolation(what)? = garbled?.cause else {
            Issue.record("expected a protocol violation, got \(String(describing: garbled))")
            return
        }
        #expect(what.contains("short frame"))

        #expect(try drive.readState(deadline: deadline()) == .switchOnDisabled)
        #expect(bus.link.injectedFaultCount == 3)
        let phases = bus.link.faultEvents.map { "\($0.kind) \($0.phase.rawValue)" }
        #expect(phases == [
            "silent started", "silent ended", "corrupted-crc started", "corrupted-crc ended",
            "garbled-frame started", "garbled-frame ended",
        ])
    }

    @Test("A fault at a rate hits that share of replies; retries hide most; clearing ends it")
    func rateFaultsAreDeterministicAndClear() throws {
        let client = client(retries: 2)
        let drive = try halDrive("jaw", unit: 1, client: client)
        var events: [String] = []
        bus.link.onFaultEvent = { events.append($0.description) }
        bus.link.inject(.silent, .rate(0.2))
        for _ in 0..<200 { _ = try? drive.readState(deadline: deadline()) }
        let hits = bus.link.injectedFaultCounts[.silent] ?? 0
        #expect((20...70).contains(hits))
        #expect(client.statistics.timeouts == hits)
        bus.link.clearFaults()
        #expect(events == ["bus0: silent started (20.0% of replies)", "bus0: silent ended (cleared)"])

        // Same seed, same requests: the same replies are hit.
        let again = SimModbusBus(name: "bus0", drives: [1: SimDrive(parameters: jaw.parameters)], seed: 42)
        again.link.inject(.silent, .rate(0.2))
        let replayClient = ModbusRTUClient(
            stream: again.stream, settings: Self.settings,
            options: .init(responseTimeoutMilliseconds: 15, maxRetries: 2, interFrameGapNanoseconds: 0), busName: "bus0")
        let replay = try ModbusCiA402Drive(name: "jaw", client: replayClient, unit: 1, scaling: drive.scaling)
        for _ in 0..<200 { _ = try? replay.readState(deadline: deadline()) }
        #expect(again.link.injectedFaultCounts[.silent] == hits)
    }

    @Test("Wrong unit id: no reply, the client times out")
    func wrongUnitTimesOut() throws {
        let drive = try halDrive("jaw", unit: 1, client: client())
        let stranger = try ModbusCiA402Drive(name: "ghost", client: client(), unit: 9, scaling: drive.scaling)
        #expect(throws: HALError(device: "bus0.drive.ghost", cause: .timeout)) { try stranger.readState(deadline: deadline()) }
    }

    @Test("A drive fault shows in feedback with its code, and faultReset clears it")
    func driveFaultThroughTheBus() throws {
        let drive = try halDrive("jaw", unit: 1, client: client())
        try drive.enable(deadline: deadline())
        jaw.inject(.errorCode(0x2310))
        #expect(throws: HALError(device: "bus0.drive.jaw", cause: .deviceFault(code: 0x2310, meaning: "continuous over-current"))) {
            try drive.enable(deadline: deadline())
        }
        #expect(try drive.faultReset(deadline: deadline()) == .switchOnDisabled)
    }

    @Test("The link is closed after close()")
    func closedLinkThrows() throws {
        bus.link.close()
        var buffer: [UInt8] = []
        #expect(throws: HALError(device: "bus0", cause: .closed)) { _ = try bus.link.read(into: &buffer, maxCount: 1, deadline: deadline()) }
    }

    @Test("Requests written whole, in pieces or two at once get the same replies")
    func requestsAreFramedHoweverTheyAreWritten() throws {
        let first = try ModbusRequest.readHoldingRegisters(address: 0x603F, count: 3).encode(unit: 1)
        let second = try ModbusRequest.readHoldingRegisters(address: 0x6064, count: 2).encode(unit: 2)
        func replies(_ writes: [[UInt8]]) throws -> [UInt8] {
            try bus.stream.discardInput()
            for bytes in writes {
                try bus.stream.write(bytes, deadline: deadline())
            }
            var received: [UInt8] = []
            while try bus.stream.read(into: &received, maxCount: 256, deadline: deadline()) > 0 {}
            return received
        }
        let whole = try replies([first, second])
        #expect(whole.count == 11 + 9)
        #expect(try replies([first + second]) == whole)
        // A request cut in two: the link takes the end of each write as line silence, so the
        // first piece goes to the server alone and is dropped there for its CRC.
        #expect(try replies([Array(first[0..<3]), Array(first[3...]), second]).count == 9)
        #expect(try replies([first, second]) == whole)
    }
}

