// A Modbus RTU master over a `ByteStream`, written by hand: no Swift Modbus package is available to
// this project. Follows the Modbus over Serial Line spec v1.02 (framing, t3.5 gap, CRC).
import Foundation
import Glibc

/// The master end of one RS-485 Modbus RTU bus.
///
/// One transaction at a time, as RTU requires: wait for the inter-frame gap, discard stale input,
/// write the request, read exactly as many bytes as the reply must have, check them. A timeout or
/// a malformed reply is retried up to `Options.maxRetries` times; an exception reply is not
/// retried (the unit answered and said no; asking again gets the same answer).
///
/// Not thread-safe: a bus has one owner (its `BusScheduler` queue). Only `statistics` may be read
/// from other threads.
public final class ModbusRTUClient {
    public struct Options: Equatable, Sendable {
        /// How long one attempt waits for the complete reply after the request is written.
        public var responseTimeoutMilliseconds: Double
        /// Extra attempts after a timeout or malformed reply (0 = try once).
        public var maxRetries: Int
        /// Silence kept between frames; nil means t3.5 from the serial settings.
        public var interFrameGapNanoseconds: UInt64?

        public init(responseTimeoutMilliseconds: Double = 50, maxRetries: Int = 2, interFrameGapNanoseconds: UInt64? = nil) {
            self.responseTimeoutMilliseconds = responseTimeoutMilliseconds
            self.maxRetries = maxRetries
            self.interFrameGapNanoseconds = interFrameGapNanoseconds
        }
    }

    /// The bus name used in errors and logs (`bus0`).
    public let busName: String
    public let settings: SerialSettings
    public let options: Options

    private let stream: ByteStream
    private let interFrameGapNanoseconds: UInt64
    /// The frames and timing of the line: touched only by a transaction, through one exclusive
    /// access for the whole of it.
    private var line = Line()

    private let statisticsLock = NSLock()
    private var liveStatistics = ModbusBusStatistics()

    /// Where deadlines and timeouts are measured: the wall clock on hardware, the virtual clock
    /// on the simulator (whose in-memory link answers at once).
    public let clock: MonotonicClock

    /// `stream` must already be configured with `settings` (they give the inter-frame gap and
    /// the wire time of a frame). `busName` defaults to the stream's name.
    public init(
        stream: ByteStream, settings: SerialSettings, options: Options = Options(), busName: String? = nil,
        clock: MonotonicClock = SystemClock.shared
    ) {
        self.clock = clock
        self.stream = stream
        self.settings = settings
        self.options = options
        self.busName = busName ?? stream.name
        self.interFrameGapNanoseconds = options.interFrameGapNanoseconds ?? settings.modbusInterFrameGapNanoseconds
        line.requestFrame.reserveCapacity(256)
        line.receiveBuffer.reserveCapacity(256)
    }

    /// A snapshot of the bus counters and round-trip histogram. Safe from any thread.
    public var statistics: ModbusBusStatistics {
        statisticsLock.lock()
        defer { statisticsLock.unlock() }
        return liveStatistics
    }

    public func resetStatistics() {
        statisticsLock.lock()
        defer { statisticsLock.unlock() }
        liveStatistics = ModbusBusStatistics()
    }

    /// Sends `request` to `unit` and returns its reply.
    ///
    /// Each attempt waits at most `responseTimeoutMilliseconds`; no attempt starts, and none
    /// outlives, the caller's `deadline` when one is given. Throws `HALError` naming
    /// `"<bus> unit <id>"`: `.timeout` when no attempt got a reply, `.protocolViolation` when the
    /// last attempt got a malformed one, `.modbusException` on an exception reply, or the
    /// stream's own error (`.closed`, `.errno`) at once.
    public func send(_ request: ModbusRequest, to unit: UInt8, deadline: MonotonicInstant? = nil) throws -> ModbusReply {
        let shape = ModbusReplyShape(request)
        return ModbusReply.reply(fromChecked: try transact(request, shape: shape, unit: unit, deadline: deadline), for: shape)
    }

    // MARK: - Convenience calls, one per function code

    /// FC 0x03.
    public func readHoldingRegisters(unit: UInt8, address: UInt16, count: UInt16, deadline: MonotonicInstant? = nil) throws -> [UInt16] {
        try send(.readHoldingRegisters(address: address, count: count), to: unit, deadline: deadline).registers
    }

    /// FC 0x04.
    public func readInputRegisters(unit: UInt8, address: UInt16, count: UInt16, deadline: MonotonicInstant? = nil) throws -> [UInt16] {
        try send(.readInputRegisters(address: address, count: count), to: unit, deadline: deadline).registers
    }

    /// FC 0x06.
    public func writeSingleRegister(unit: UInt8, address: UInt16, value: UInt16, deadline: MonotonicInstant? = nil) throws {
        _ = try send(.writeSingleRegister(address: address, value: value), to: unit, deadline: deadline)
    }

    /// FC 0x10.
    public func writeMultipleRegisters(unit: UInt8, address: UInt16, values: [UInt16], deadline: MonotonicInstant? = nil) throws {
        _ = try send(.writeMultipleRegisters(address: address, values: values), to: unit, deadline: deadline)
    }

    /// FC 0x17: writes `values` at `writeAddress`, then reads `readCount` registers at `readAddress`.
    public func readWriteMultipleRegisters(
        unit: UInt8, readAddress: UInt16, readCount: UInt16, writeAddress: UInt16, values: [UInt16],
        deadline: MonotonicInstant? = nil
    ) throws -> [UInt16] {
        let request = ModbusRequest.readWriteMultipleRegisters(
            readAddress: readAddress, readCount: readCount, writeAddress: writeAddress, values: values)
        return try send(request, to: unit, deadline: deadline).registers
    }

    // MARK: - Cyclic calls (no allocation)

    /// FC 0x03 as `readHoldingRegisters(unit:address:count:deadline:)` does it, the registers
    /// left in the reply: for a cyclic exchange that must not allocate an array per reply. The
    /// view is good until the next call on this client.
    func readHoldingRegistersInPlace(
        unit: UInt8, address: UInt16, count: UInt16, deadline: MonotonicInstant?
    ) throws -> ModbusReplyRegisters {
        let request = ModbusRequest.readHoldingRegisters(address: address, count: count)
        let shape = ModbusReplyShape(request)
        return ModbusReplyRegisters(reply: try transact(request, shape: shape, unit: unit, deadline: deadline), count: Int(count))
    }

    /// FC 0x17 with the registers read left in the reply (see `readHoldingRegistersInPlace`).
    func readWriteMultipleRegistersInPlace(
        unit: UInt8, readAddress: UInt16, readCount: UInt16, writeAddress: UInt16, values: [UInt16], deadline: MonotonicInstant?
    ) throws -> ModbusReplyRegisters {
        let request = ModbusRequest.readWriteMultipleRegisters(
            readAddress: readAddress, readCount: readCount, writeAddress: writeAddress, values: values)
        let shape = ModbusReplyShape(request)
        return ModbusReplyRegisters(reply: try transact(request, shape: shape, unit: unit, deadline: deadline), count: Int(readCount))
    }

    // MARK: - Private helpers

    /// The state of the line between transactions, and the frames of the current one.
    private struct Line {
        /// The earliest instant from which the line is known to have been silent; the next
        /// request may start one inter-frame gap after it.
        var quietSince = MonotonicInstant(nanoseconds: 0)
        var requestFrame: [UInt8] = []
        var receiveBuffer: [UInt8] = []
    }

    /// How one attempt went wrong, before it is counted and named.
    private enum AttemptFailure: Error {
        case timeout
        case malformed(ModbusFrameProblem)
        case exception(code: UInt8)
    }

    /// What one transaction adds to the statistics: collected as it goes, added under the lock
    /// once at its end.
    private struct Tally {
        var retries: UInt64 = 0
        var timeouts: UInt64 = 0
        var crcErrors: UInt64 = 0
        var protocolErrors: UInt64 = 0
        var exceptions: UInt64 = 0
        var echoesSkipped: UInt64 = 0
        var failed = false
        var roundTripNanoseconds: UInt64?
    }

    /// The one transaction behind every call: frames `request` for `unit` and tries it until a
    /// valid reply arrives. Returns that reply, checked against `shape` (trailing bytes may
    /// follow it); it is a view of the receive buffer, good until the next transaction.
    private func transact(_ request: ModbusRequest, shape: ModbusReplyShape, unit: UInt8, deadline: MonotonicInstant?) throws -> ArraySlice<UInt8> {
        var tally = Tally()
        defer { record(tally) }
        return try transact(request, shape: shape, unit: unit, deadline: deadline, line: &line, tally: &tally)
    }

    private func transact(
        _ request: ModbusRequest, shape: ModbusReplyShape, unit: UInt8, deadline: MonotonicInstant?,
        line: inout Line, tally: inout Tally
    ) throws -> ArraySlice<UInt8> {
        do {
            try request.encode(unit: unit, into: &line.requestFrame)
        } catch let error as HALError {
            tally.failed = true
            throw HALError(device: device(unit), cause: error.cause)
        }

        var lastFailure = AttemptFailure.timeout
        var lineNeedsResync = false
        for attempt in 0...max(0, options.maxRetries) {
            if let deadline, clock.now() >= deadline {
                break
            }
            if attempt > 0 {
                tally.retries += 1
            }
            do {
                if lineNeedsResync {
                    try drainUntilQuiet(&line)
                    lineNeedsResync = false
                }
                let start = try attemptOnce(shape, unit: unit, deadline: deadline, line: &line, tally: &tally)
                return line.receiveBuffer[start...]
            } catch let failure as AttemptFailure {
                switch failure {
                case .timeout:
                    tally.timeouts += 1
                case let .malformed(problem):
                    if problem == .badCRC { tally.crcErrors += 1 } else { tally.protocolErrors += 1 }
                    lineNeedsResync = true
                case let .exception(code):
                    tally.exceptions += 1
                    tally.failed = true
                    throw HALError(device: device(unit), cause: .modbusException(function: shape.function.rawValue, code: code))
                }
                lastFailure = failure
            } catch let error as HALError {
                // The port itself failed (closed, errno): retrying on the same port will not help.
                tally.failed = true
                throw error
            }
        }
        tally.failed = true
        if case let .malformed(problem) = lastFailure {
            throw HALError(device: device(unit), cause: .protocolViolation(problem.description))
        }
        throw HALError(device: device(unit), cause: .timeout)
    }

    /// One request/reply exchange of the request in `line.requestFrame`. Returns where the valid
    /// reply starts in `line.receiveBuffer`.
    private func attemptOnce(
        _ shape: ModbusReplyShape, unit: UInt8, deadline: MonotonicInstant?, line: inout Line, tally: inout Tally
    ) throws -> Int {
        sleep(until: line.quietSince.adding(nanoseconds: interFrameGapNanoseconds))

        var attemptDeadline = clock.now().adding(nanoseconds: responseTimeoutNanoseconds)
        if let deadline, deadline < attemptDeadline {
            attemptDeadline = deadline
        }

        // A late reply to an earlier, timed-out request must not be taken for this one.
        try stream.discardInput()
        do {
            try stream.write(line.requestFrame, deadline: attemptDeadline)
        } catch let error as HALError where error.cause == .timeout {
            throw AttemptFailure.timeout
        }
        let sentAt = clock.now()
        let requestLength = line.requestFrame.count
        // write() returns when the kernel has the bytes; the wire is busy until they are out.
        line.quietSince = sentAt.adding(nanoseconds: UInt64(requestLength) * settings.characterTimeNanoseconds)

        line.receiveBuffer.removeAll(keepingCapacity: true)
        // An adapter without echo suppression hands our own request back before the reply. For
        // FC 0x06 the normal reply is byte-for-byte the request, so the first copy is the answer.
        var mayStillSeeEcho = shape.function != .writeSingleRegister
        var start = 0

        while true {
            let bytesNeeded: Int
            // A scope of its own: a view of the buffer alive across the read below would make
            // the read copy the buffer.
            do {
                let received = line.receiveBuffer[start...]
                let checked = ModbusReply.check(received, for: shape, unit: unit)
                if case .complete = checked {
                    tally.roundTripNanoseconds = finishRoundTrip(from: sentAt, line: &line)
                    return start
                }
                if mayStillSeeEcho && start == 0 && Self.isPrefix(received, of: line.requestFrame) {
                    if received.count >= requestLength {
                        start = requestLength
                        mayStillSeeEcho = false
                        tally.echoesSkipped += 1
                        continue
                    }
                    bytesNeeded = requestLength - received.count
                } else {
                    switch checked {
                    case .complete:
                        preconditionFailure("returned above")
                    case let .exception(code, _):
                        tally.roundTripNanoseconds = finishRoundTrip(from: sentAt, line: &line)
                        throw AttemptFailure.exception(code: code)
                    case let .malformed(problem):
                        throw AttemptFailure.malformed(problem)
                    case let .incomplete(expectedLength):
                        bytesNeeded = expectedLength - received.count
                    }
                }
            }

            let count = try stream.read(into: &line.receiveBuffer, maxCount: bytesNeeded, deadline: attemptDeadline)
            if count == 0 {
                let receivedCount = line.receiveBuffer.count - start
                if receivedCount > 0 {
                    // Something came, but not all of it: a truncated or garbled frame.
                    throw AttemptFailure.malformed(.shortFrame(received: receivedCount, expected: receivedCount + bytesNeeded))
                }
                throw AttemptFailure.timeout
            }
            line.quietSince = clock.now()
        }
    }

    /// After a malformed reply the rest of that frame (or of a foreign one) may still be coming.
    /// Read and drop bytes until the line has been quiet for one inter-frame gap, so the retry
    /// starts in sync. Bounded by one response timeout in case the line babbles forever.
    private func drainUntilQuiet(_ line: inout Line) throws {
        let giveUp = clock.now().adding(nanoseconds: responseTimeoutNanoseconds)
        var scratch: [UInt8] = []
        while clock.now() < giveUp {
            scratch.removeAll(keepingCapacity: true)
            let quietDeadline = min(clock.now().adding(nanoseconds: interFrameGapNanoseconds), giveUp)
            if try stream.read(into: &scratch, maxCount: 256, deadline: quietDeadline) == 0 {
                return
            }
            line.quietSince = clock.now()
        }
    }

    /// Whether `received` (not empty) is the start of `request`, or all of it and more.
    private static func isPrefix(_ received: ArraySlice<UInt8>, of request: [UInt8]) -> Bool {
        guard !received.isEmpty else { return false }
        let length = min(received.count, request.count)
        var index = 0
        while index < length {
            guard received[received.startIndex + index] == request[index] else { return false }
            index += 1
        }
        return true
    }

    /// The line is quiet from now; returns the round trip from `sentAt`.
    private func finishRoundTrip(from sentAt: MonotonicInstant, line: inout Line) -> UInt64 {
        let now = clock.now()
        line.quietSince = now
        return sentAt.nanoseconds(until: now)
    }

    /// Adds one transaction's tally to the statistics: one lock per transaction.
    private func record(_ tally: Tally) {
        statisticsLock.lock()
        defer { statisticsLock.unlock() }
        liveStatistics.add(
            retries: tally.retries, timeouts: tally.timeouts, crcErrors: tally.crcErrors, protocolErrors: tally.protocolErrors,
            exceptions: tally.exceptions, echoesSkipped: tally.echoesSkipped, failed: tally.failed,
            roundTripNanoseconds: tally.roundTripNanoseconds)
    }

    /// One attempt's wait for its reply.
    private var responseTimeoutNanoseconds: UInt64 {
        UInt64(options.responseTimeoutMilliseconds * 1_000_000)
    }

    /// `bus0 unit 4`: the device errors name (built only when there is an error to name).
    private func device(_ unit: UInt8) -> String {
        "\(busName) unit \(unit)"
    }

    /// Sleeps until `instant` on CLOCK_MONOTONIC; returns at once if it has passed.
    /// The corresponding C function is `clock_nanosleep` (absolute, so EINTR just retries).
    private func sleep(until instant: MonotonicInstant) {
        guard clock.now() < instant else { return }
        var target = timespec(
            tv_sec: Int(instant.nanoseconds / 1_000_000_000),
            tv_nsec: Int(instant.nanoseconds % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
    }
}
