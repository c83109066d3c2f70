// A CiA 402 drive on a Modbus RTU bus. Written by hand: no Swift Modbus or CiA 402 package is
// available to this project.
import Glibc

/// One axis (jaw, belt, plank) behind a Modbus RTU unit id, spoken to in CiA 402 objects.
///
/// `exchange` is the cyclic call the bus scheduler makes. The other calls (`enable`, `disable`,
/// `faultReset`, `quickStop`, `readState`, ...) are for bring-up, the console and tests; in
/// production the controller walks the state machine itself by posting controlwords from
/// `CiA402Controlword.next(from:toward:)` through the scheduler.
///
/// Every error names the drive as `<bus>.drive.<name>` (`bus0.drive.plank`). Not thread-safe:
/// call it only from the bus's owner, like the client it shares.
public final class ModbusCiA402Drive: MotorDrive {
    /// The drive's name from config (`plank`).
    public let name: String
    /// The name in errors and signals: `bus0.drive.plank`.
    public let deviceName: String
    public let unit: UInt8
    public let profile: RegisterProfile
    public let scaling: DriveScaling

    private let client: ModbusRTUClient
    /// Feedback spans with the statusword's span first: that one rides on the FC 0x17 that
    /// writes the controlword, so the statusword read back already reflects the command.
    private let feedbackSpans: [RegisterSpan]
    /// The cyclic exchange's transactions, worked out once: by `exchangePlanIndex`.
    private let exchangePlans: [TransactionPlan]
    /// The registers of one write span, storage reused by every transaction.
    private var writeRegisters: [UInt16] = []
    /// The mode last written without error. nil forces a write: after any error, and whenever
    /// the drive is not enabled (a drive that rebooted has forgotten its mode).
    private var lastWrittenMode: DriveMode?
    /// The motion profile last written without error; nil forces a write, by the same rule as
    /// the mode: the profile goes to the drive on every exchange until it is enabled (the walk
    /// to operation enabled configures it), and again whenever it changes.
    private var lastWrittenProfile: DriveMotionProfile?

    private static let feedbackObjects: [CiA402Object] = [
        .errorCode, .statusword, .positionActualValue, .velocityActualValue, .currentActualValue,
    ]

    /// Throws `HALError` (`.invalidRequest`) for a unit id outside 1...247 or unusable scaling.
    public init(name: String, client: ModbusRTUClient, unit: UInt8, profile: RegisterProfile = .cia402Direct, scaling: DriveScaling) throws {
        self.name = name
        self.deviceName = "\(client.busName).drive.\(name)"
        self.unit = unit
        self.profile = profile
        self.scaling = scaling
        self.client = client
        guard (1...247).contains(unit) else {
            throw HALError(device: deviceName, cause: .invalidRequest("unit id \(unit) is outside 1...247"))
        }
        if let problem = scaling.problem {
            throw HALError(device: deviceName, cause: .invalidRequest(problem))
        }
        var spans = profile.readSpans(covering: Self.feedbackObjects)
        if let index = spans.firstIndex(where: { $0.objects.contains(.statusword) }) {
            spans.insert(spans.remove(at: index), at: 0)
        }
        self.feedbackSpans = spans
        var plans: [TransactionPlan] = []
        for index in 0..<8 {
            let (writesProfile, writesMode, mode) = Self.exchangePlanKey(index)
            var objects: [CiA402Object] = []
            if writesProfile { objects += [.profileVelocity, .profileAcceleration, .profileDeceleration] }
            if writesMode { objects.append(.modesOfOperation) }
            objects.append(mode == .profilePosition ? .targetPosition : .targetVelocity)
            objects.append(.controlword)
            plans.append(TransactionPlan(profile: profile, writing: objects, reading: spans))
        }
        self.exchangePlans = plans
        writeRegisters.reserveCapacity(ModbusRequest.maxWriteCount)
    }

    // MARK: - Cyclic exchange

    /// Writes the motion profile and the mode (each when it changed, and until the drive is
    /// enabled), the target of the active mode and the controlword, in that order, then reads
    /// statusword, error code, position, velocity and current.
    ///
    /// The controlword write and the read holding the statusword share one FC 0x17 transaction;
    /// with `cia402-direct` a cycle is then 5 transactions (target, 0x17, three feedback reads).
    public func exchange(_ setpoint: DriveSetpoint, deadline: MonotonicInstant) throws -> DriveFeedback {
        do {
            var values = CiA402ObjectValues()
            let writesProfile: Bool
            if let profile = setpoint.motionProfile, lastWrittenProfile != profile {
                writesProfile = true
                values[.profileVelocity] = try counts(profile.velocityMMPerS, for: .profileVelocity)
                values[.profileAcceleration] = try counts(profile.accelerationMMPerS2, for: .profileAcceleration)
                values[.profileDeceleration] = try counts(profile.decelerationMMPerS2, for: .profileDeceleration)
            } else {
                writesProfile = false
            }
            let writesMode = lastWrittenMode != setpoint.mode
            if writesMode {
                values[.modesOfOperation] = Int64(setpoint.mode.rawValue)
            }
            switch setpoint.mode {
            case .profilePosition:
                values[.targetPosition] = try counts(setpoint.targetPositionMM, for: .targetPosition)
            case .profileVelocity:
                values[.targetVelocity] = try counts(setpoint.targetVelocityMMPerS, for: .targetVelocity)
            }
            values[.controlword] = Int64(setpoint.controlword)

            let plan = exchangePlans[Self.exchangePlanIndex(writesProfile: writesProfile, writesMode: writesMode, mode: setpoint.mode)]
            let feedback = makeFeedback(try transact(plan, values: values, deadline: deadline))
            let enabled = CiA402State(statusword: feedback.statusword) == .operationEnabled
            lastWrittenMode = enabled ? setpoint.mode : nil
            if setpoint.motionProfile != nil { lastWrittenProfile = enabled ? setpoint.motionProfile : nil }
            return feedback
        } catch {
            lastWrittenMode = nil
            lastWrittenProfile = nil
            throw renamed(error)
        }
    }

    /// Reads the feedback without writing anything.
    public func readFeedback(deadline: MonotonicInstant) throws -> DriveFeedback {
        do {
            return makeFeedback(try transact(TransactionPlan(profile: profile, writing: [], reading: feedbackSpans),
                                             values: CiA402ObjectValues(), deadline: deadline))
        } catch {
            throw renamed(error)
        }
    }

    // MARK: - State machine

    /// The drive's current state. Throws `.protocolViolation` when the statusword matches none.
    public func readState(deadline: MonotonicInstant) throws -> CiA402State {
        try state(from: readObject(.statusword, deadline: deadline))
    }

    /// Walks the drive to operation_enabled, one transition per transaction, and returns when it
    /// is there. Sets the target velocity to 0 first, so enabling never starts a motion by itself.
    ///
    /// Does not reset faults: from `fault` it throws `.deviceFault` with the drive's error code,
    /// because someone should read that code before clearing it (`faultReset`).
    /// Throws `.protocolViolation` naming the state it is stuck in if the deadline passes.
    public func enable(deadline: MonotonicInstant) throws {
        try writeObject(.targetVelocity, value: 0, deadline: deadline)
        try walk(toward: .operationEnabled, deadline: deadline)
    }

    /// Walks the drive to switch_on_disabled (power stage off) with "disable voltage".
    public func disable(deadline: MonotonicInstant) throws {
        try walk(toward: .switchOnDisabled, deadline: deadline)
    }

    /// Commands a quick stop (the drive brakes with 0x6085) and returns the state right after.
    public func quickStop(deadline: MonotonicInstant) throws -> CiA402State {
        try command(.quickStop, deadline: deadline)
    }

    /// Clears a fault with a rising edge on controlword bit 7 and waits until the drive has left
    /// `fault`. Returns the state it is in then (switch_on_disabled on a conforming drive).
    /// Throws `.deviceFault` with the error code if the fault is still there at the deadline
    /// (its cause is still present).
    public func faultReset(deadline: MonotonicInstant) throws -> CiA402State {
        // Bit 7 low first: only a rising edge resets, and the last write may have left it high.
        _ = try command(.disableVoltage, deadline: deadline)
        var state = try command(.faultReset, deadline: deadline)
        while state.isFault {
            guard client.clock.now() < deadline else {
                // The caller's deadline has passed; one short extra read buys a useful message.
                let error = try readErrorCode(deadline: client.clock.now().adding(nanoseconds: 100_000_000))
                throw HALError(device: deviceName, cause: .deviceFault(code: error.code, meaning: error.meaning))
            }
            state = try readState(deadline: deadline)
        }
        return state
    }

    /// The drive's error code (0x603F) with its meaning.
    public func readErrorCode(deadline: MonotonicInstant) throws -> CiA402ErrorCode {
        CiA402ErrorCode(code: UInt16(truncatingIfNeeded: try readObject(.errorCode, deadline: deadline)))
    }

    // MARK: - Objects

    /// Writes the profile-move parameters (0x6081, 0x6083, 0x6084, 0x6085), in mm/s and mm/s².
    public func configureMotion(
        profileVelocityMMPerS: Double, accelerationMMPerS2: Double, decelerationMMPerS2: Double,
        quickStopDecelerationMMPerS2: Double, deadline: MonotonicInstant
    ) throws {
        do {
            var values = CiA402ObjectValues()
            values[.profileVelocity] = try counts(profileVelocityMMPerS, for: .profileVelocity)
            values[.profileAcceleration] = try counts(accelerationMMPerS2, for: .profileAcceleration)
            values[.profileDeceleration] = try counts(decelerationMMPerS2, for: .profileDeceleration)
            values[.quickStopDeceleration] = try counts(quickStopDecelerationMMPerS2, for: .quickStopDeceleration)
            let plan = TransactionPlan(
                profile: profile, writing: [.profileVelocity, .profileAcceleration, .profileDeceleration, .quickStopDeceleration],
                reading: [])
            _ = try transact(plan, values: values, deadline: deadline)
        } catch {
            throw renamed(error)
        }
    }

    /// Reads one object as a raw value in drive units (signed objects come back signed).
    public func readObject(_ object: CiA402Object, deadline: MonotonicInstant) throws -> Int64 {
        do {
            let plan = TransactionPlan(profile: profile, writing: [], reading: profile.readSpans(covering: [object]))
            return try transact(plan, values: CiA402ObjectValues(), deadline: deadline)[object] ?? 0
        } catch {
            throw renamed(error)
        }
    }

    /// Writes one object as a raw value in drive units.
    public func writeObject(_ object: CiA402Object, value: Int64, deadline: MonotonicInstant) throws {
        do {
            var values = CiA402ObjectValues()
            values[object] = value
            _ = try transact(TransactionPlan(profile: profile, writing: [object], reading: []), values: values, deadline: deadline)
        } catch {
            throw renamed(error)
        }
    }

    // MARK: - Private helpers

    private func walk(toward target: CiA402Target, deadline: MonotonicInstant) throws {
        var state = try readState(deadline: deadline)
        var lastCommand: CiA402Controlword?
        while true {
            let step = CiA402Controlword.next(from: state, toward: target)
            if step == .arrived {
                return
            }
            guard client.clock.now() < deadline else {
                let tried = lastCommand.map { " after controlword \($0)" } ?? ""
                throw HALError(
                    device: deviceName,
                    cause: .protocolViolation("did not reach \(target.state.name) in time: stays in \(state.name)\(tried)"))
            }
            switch step {
            case .arrived:
                return
            case .blockedByFault:
                let error = try readErrorCode(deadline: deadline)
                throw HALError(device: deviceName, cause: .deviceFault(code: error.code, meaning: error.meaning))
            case .wait:
                state = try readState(deadline: deadline)
            case let .send(controlword):
                lastCommand = controlword
                state = try command(controlword, deadline: deadline)
            }
        }
    }

    /// Writes a controlword and reads the statusword back in one FC 0x17 transaction.
    private func command(_ controlword: CiA402Controlword, deadline: MonotonicInstant) throws -> CiA402State {
        do {
            var values = CiA402ObjectValues()
            values[.controlword] = Int64(controlword.rawValue)
            let plan = TransactionPlan(profile: profile, writing: [.controlword], reading: profile.readSpans(covering: [.statusword]))
            return try state(from: transact(plan, values: values, deadline: deadline)[.statusword] ?? 0)
        } catch {
            throw renamed(error)
        }
    }

    /// Which objects one call writes and which register spans it reads, grouped into the
    /// transactions that carry them.
    private final class TransactionPlan: Sendable {
        /// The objects written, in the order their values are checked.
        let writeOrder: [CiA402Object]
        /// As few spans as cover `writeOrder`, the controlword's last: set-points must land before
        /// the controlword that acts on them (new set-point edge).
        let writeSpans: [RegisterSpan]
        let readSpans: [RegisterSpan]

        init(profile: RegisterProfile, writing objects: [CiA402Object], reading readSpans: [RegisterSpan]) {
            writeOrder = objects
            var writeSpans = profile.writeSpans(covering: objects)
            if let index = writeSpans.firstIndex(where: { $0.objects.contains(.controlword) }) {
                writeSpans.append(writeSpans.remove(at: index))
            }
            self.writeSpans = writeSpans
            self.readSpans = readSpans
        }
    }

    /// The cyclic exchange's plans: what it writes depends only on whether the motion profile and
    /// the mode go out this cycle, and on the mode (which target).
    private static func exchangePlanIndex(writesProfile: Bool, writesMode: Bool, mode: DriveMode) -> Int {
        (writesProfile ? 4 : 0) | (writesMode ? 2 : 0) | (mode == .profileVelocity ? 1 : 0)
    }

    private static func exchangePlanKey(_ index: Int) -> (writesProfile: Bool, writesMode: Bool, mode: DriveMode) {
        (index & 4 != 0, index & 2 != 0, index & 1 != 0 ? .profileVelocity : .profilePosition)
    }

    /// The one path to the bus: writes `values` span by span as `plan` says (controlword last),
    /// then reads `plan.readSpans`, merging the last write and the first read into one FC 0x17
    /// transaction. Every value is checked against the profile before anything is sent.
    private func transact(_ plan: TransactionPlan, values: CiA402ObjectValues, deadline: MonotonicInstant) throws -> CiA402ObjectValues {
        // Loops by index here and below: `for x in array` allocates an iterator frame in an
        // unoptimized (test) build, and the cyclic exchange is checked to allocate nothing.
        let writeOrder = plan.writeOrder
        for position in writeOrder.indices {
            try profile.checkFits(values[writeOrder[position]] ?? 0, for: writeOrder[position])
        }
        return try transact(plan, values: values, deadline: deadline, registers: &writeRegisters)
    }

    /// `transact` once the values are checked; `registers` is the write buffer.
    private func transact(
        _ plan: TransactionPlan, values: CiA402ObjectValues, deadline: MonotonicInstant, registers: inout [UInt16]
    ) throws -> CiA402ObjectValues {
        var read = CiA402ObjectValues()
        var readsDone = 0
        let writeSpans = plan.writeSpans, readSpans = plan.readSpans
        for position in writeSpans.indices {
            let span = writeSpans[position]
            registers.removeAll(keepingCapacity: true)
            let objects = span.objects
            for index in objects.indices {
                try profile.encode(values[objects[index]] ?? 0, for: objects[index], appendingTo: &registers)
            }
            let isLastWrite = position == writeSpans.count - 1
            if isLastWrite, !readSpans.isEmpty {
                let firstRead = readSpans[0]
                let reply = try client.readWriteMultipleRegistersInPlace(
                    unit: unit, readAddress: firstRead.address, readCount: UInt16(firstRead.count),
                    writeAddress: span.address, values: registers, deadline: deadline)
                store(reply, of: firstRead, into: &read)
                readsDone = 1
            } else if span.count == 1 {
                try client.writeSingleRegister(unit: unit, address: span.address, value: registers[0], deadline: deadline)
            } else {
                try client.writeMultipleRegisters(unit: unit, address: span.address, values: registers, deadline: deadline)
            }
        }
        for position in readsDone..<readSpans.count {
            let span = readSpans[position]
            let reply = try client.readHoldingRegistersInPlace(
                unit: unit, address: span.address, count: UInt16(span.count), deadline: deadline)
            store(reply, of: span, into: &read)
        }
        return read
    }

    private func store(_ registers: ModbusReplyRegisters, of span: RegisterSpan, into values: inout CiA402ObjectValues) {
        let objects = span.objects
        for index in objects.indices {
            let object = objects[index]
            let offset = Int(profile.location(of: object).address) - Int(span.address)
            values[object] = profile.decode(registers, at: offset, for: object)
        }
    }

    private func makeFeedback(_ values: CiA402ObjectValues) -> DriveFeedback {
        DriveFeedback(
            statusword: UInt16(truncatingIfNeeded: values[.statusword] ?? 0),
            positionMM: scaling.millimeters(fromCounts: values[.positionActualValue] ?? 0),
            velocityMMPerS: scaling.millimeters(fromCounts: values[.velocityActualValue] ?? 0),
            currentMilliamps: scaling.milliamps(fromPerMille: values[.currentActualValue] ?? 0),
            errorCode: UInt16(truncatingIfNeeded: values[.errorCode] ?? 0))
    }

    private func state(from statusword: Int64) throws -> CiA402State {
        let word = UInt16(truncatingIfNeeded: statusword)
        guard let state = CiA402State(statusword: word) else {
            throw HALError(
                device: deviceName,
                cause: .protocolViolation("statusword 0x\(String(word, radix: 16, uppercase: true)) matches no CiA 402 state"))
        }
        return state
    }

    /// mm (or mm/s, mm/s²) → counts, or `.invalidRequest` when it cannot be represented.
    private func counts(_ millimeters: Double, for object: CiA402Object) throws -> Int64 {
        guard let counts = scaling.counts(fromMM: millimeters), object.valueType.range.contains(counts) else {
            throw HALError(device: deviceName, cause: .invalidRequest("\(millimeters) mm-based value does not fit \(object)"))
        }
        return counts
    }

    /// Errors from the client name the bus and unit; callers know the drive by its name.
    private func renamed(_ error: Error) -> Error {
        guard let error = error as? HALError else { return error }
        return HALError(device: deviceName, cause: error.cause)
    }
}
