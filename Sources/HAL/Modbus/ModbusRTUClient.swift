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
    /// The earliest instant from which the line is known to have been silent; the next request
    /// may start one inter-frame gap after it.
    private var lineQuietSince = MonotonicInstant(nanoseconds: 0)
    private var requestFrame: [UInt8] = []
    private var receiveBuffer: [UInt8] = []

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
        requestFrame.reserveCapacity(256)
        receiveBuffer.reserveCapacity(256)
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
        let device = "\(busName) unit \(unit)"
        updateStatistics { $0.requests += 1 }
        do {
            try request.encode(unit: unit, into: &requestFrame)
        } catch let error as HALError {
            updateStatistics { $0.failedRequests += 1 }
            throw HALError(device: device, cause: error.cause)
        }

        var lastError = HALError(device: device, cause: .timeout)
        var lineNeedsResync = false
        for attempt in 0...max(0, options.maxRetries) {
            if let deadline, clock.now() >= deadline {
                break
            }
            if attempt > 0 {
                updateStatistics { $0.retries += 1 }
            }
            do {
                if lineNeedsResync {
                    try drainUntilQuiet()
                    lineNeedsResync = false
                }
                return try attemptOnce(request, unit: unit, deadline: deadline)
            } catch let failure as AttemptFailure {
                switch failure {
                case .timeout:
                    updateStatistics { $0.timeouts += 1 }
                    lastError = HALError(device: device, cause: .timeout)
                case let .malformed(problem):
                    updateStatistics {
                        if problem == .badCRC { $0.crcErrors += 1 } else { $0.protocolErrors += 1 }
                    }
                    lastError = HALError(device: device, cause: .protocolViolation(problem.description))
                    lineNeedsResync = true
                case let .exception(code):
                    updateStatistics {
                        $0.exceptions += 1
                        $0.failedRequests += 1
                    }
                    throw HALError(device: device, cause: .modbusException(function: request.function.rawValue, code: code))
                }
            } catch let error as HALError {
                // The port itself failed (closed, errno): retrying on the same port will not help.
                updateStatistics { $0.failedRequests += 1 }
                throw error
            }
        }
        updateStatistics { $0.failedRequests += 1 }
        throw lastError
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

    // MARK: - Private helpers

    /// How one attempt went wrong, before it is counted and named.
    private enum AttemptFailure: Error {
        case timeout
        case malformed(ModbusFrameProblem)
        case exception(code: UInt8)
    }

    /// One request/reply exchange. `requestFrame` holds the encoded request.
    private func attemptOnce(_ request: ModbusRequest, unit: UInt8, deadline: MonotonicInstant?) throws -> ModbusReply {
        sleep(until: lineQuietSince.adding(nanoseconds: interFrameGapNanoseconds))

        var attemptDeadline = clock.now().adding(nanoseconds: UInt64(options.responseTimeoutMilliseconds * 1_000_000))
        if let deadline, deadline < attemptDeadline {
            attemptDeadline = deadline
        }

        // A late reply to an earlier, timed-out request must not be taken for this one.
        try stream.discardInput()
        do {
            try stream.write(requestFrame, deadline: attemptDeadline)
        } catch let error as HALError where error.cause == .timeout {
            throw AttemptFailure.timeout
        }
        let sentAt = clock.now()
        // write() returns when the kernel has the bytes; the wire is busy until they are out.
        let wireTimeNanoseconds = UInt64(requestFrame.count) * settings.characterTimeNanoseconds
        lineQuietSince = sentAt.adding(nanoseconds: wireTimeNanoseconds)

        receiveBuffer.removeAll(keepingCapacity: true)
        // An adapter without echo suppression hands our own request back before the reply. For
        // FC 0x06 the normal reply is byte-for-byte the request, so the first copy is the answer.
        var mayStillSeeEcho = request.function != .writeSingleRegister
        var start = 0

        while true {
            let received = receiveBuffer[start...]
            let parsed = ModbusReply.parse(received, for: request, unit: unit)
            let looksLikeOwnEcho = mayStillSeeEcho && start == 0 && isPrefixOfRequest(received)
            let bytesNeeded: Int

            switch parsed {
            case let .complete(reply, _):
                recordRoundTrip(from: sentAt)
                return reply
            case _ where looksLikeOwnEcho:
                if received.count >= requestFrame.count {
                    start = requestFrame.count
                    mayStillSeeEcho = false
                    updateStatistics { $0.echoesSkipped += 1 }
                    continue
                }
                bytesNeeded = requestFrame.count - received.count
            case let .exception(code, _):
                recordRoundTrip(from: sentAt)
                throw AttemptFailure.exception(code: code)
            case let .malformed(problem):
                throw AttemptFailure.malformed(problem)
            case let .incomplete(expectedLength):
                bytesNeeded = expectedLength - received.count
            }

            let count = try stream.read(into: &receiveBuffer, maxCount: bytesNeeded, deadline: attemptDeadline)
            if count == 0 {
                if receiveBuffer.count > start {
                    // Something came, but not all of it: a truncated or garbled frame.
                    let expected = receiveBuffer.count - start + bytesNeeded
                    throw AttemptFailure.malformed(.shortFrame(received: receiveBuffer.count - start, expected: expected))
                }
                throw AttemptFailure.timeout
            }
            lineQuietSince = clock.now()
        }
    }

    /// After a malformed reply the rest of that frame (or of a foreign one) may still be coming.
    /// Read and drop bytes until the line has been quiet for one inter-frame gap, so the retry
    /// starts in sync. Bounded by one response timeout in case the line babbles forever.
    private func drainUntilQuiet() throws {
        let giveUp = clock.now().adding(nanoseconds: UInt64(options.responseTimeoutMilliseconds * 1_000_000))
        var scratch: [UInt8] = []
        while clock.now() < giveUp {
            scratch.removeAll(keepingCapacity: true)
            let quietDeadline = min(clock.now().adding(nanoseconds: interFrameGapNanoseconds), giveUp)
            if try stream.read(into: &scratch, maxCount: 256, deadline: quietDeadline) == 0 {
                return
            }
            lineQuietSince = clock.now()
        }
    }

    private func isPrefixOfRequest(_ received: ArraySlice<UInt8>) -> Bool {
        guard !received.isEmpty else { return false }
        let length = min(received.count, requestFrame.count)
        return received.prefix(length).elementsEqual(requestFrame.prefix(length))
    }

    private func recordRoundTrip(from sentAt: MonotonicInstant) {
        let now = clock.now()
        lineQuietSince = now
        let elapsed = sentAt.nanoseconds(until: now)
        updateStatistics { $0.recordRoundTrip(nanoseconds: elapsed) }
    }

    private func updateStatistics(_ change: (inout ModbusBusStatistics) -> Void) {
        statisticsLock.lock()
        defer { statisticsLock.unlock() }
        change(&liveStatistics)
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
