// Counters and round-trip times of one Modbus RTU bus. Hand-written with the Modbus client (no
// Swift Modbus package is available to this project); the histogram is HdrHistogram's.
import Histogram

/// What happened on one bus since it was opened: the numbers to look at first when a drive
/// "sometimes" does not answer.
///
/// A value type: the client keeps the live copy, readers get snapshots.
public struct ModbusBusStatistics: Sendable {
    /// Transactions asked for by callers (each may take several attempts).
    public var requests: UInt64 = 0
    /// Extra attempts after a failed one.
    public var retries: UInt64 = 0
    /// Attempts that got no complete reply before their timeout.
    public var timeouts: UInt64 = 0
    /// Replies whose CRC did not match (line noise, wrong baud or parity, two masters).
    public var crcErrors: UInt64 = 0
    /// Other malformed replies: foreign unit, wrong function, wrong byte count, bad echo.
    public var protocolErrors: UInt64 = 0
    /// Exception replies (the unit answered, and said no).
    public var exceptions: UInt64 = 0
    /// Our own request read back by an adapter without echo suppression, and skipped.
    public var echoesSkipped: UInt64 = 0
    /// Transactions that failed after all attempts (or on an exception, which is not retried).
    public var failedRequests: UInt64 = 0

    /// Request written → complete reply received, in microseconds, for every attempt that got a
    /// well-formed reply (normal or exception). Two significant digits: 1 % resolution is plenty
    /// for latency and keeps the histogram ~20 KB. Times above 10 s are recorded as 10 s.
    public private(set) var roundTripMicroseconds: Histogram<UInt64>

    public static let highestTrackableRoundTripMicroseconds: UInt64 = 10_000_000

    public init() {
        roundTripMicroseconds = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: Self.highestTrackableRoundTripMicroseconds,
            numberOfSignificantValueDigits: .two
        )
    }

    /// Records one round trip.
    public mutating func recordRoundTrip(nanoseconds: UInt64) {
        let microseconds = min(max(nanoseconds / 1000, 1), Self.highestTrackableRoundTripMicroseconds)
        _ = roundTripMicroseconds.record(microseconds)
    }

    /// Adds one transaction (a request, with its attempts): what the client counted while it ran.
    mutating func add(
        retries: UInt64, timeouts: UInt64, crcErrors: UInt64, protocolErrors: UInt64, exceptions: UInt64,
        echoesSkipped: UInt64, failed: Bool, roundTripNanoseconds: UInt64?
    ) {
        requests += 1
        self.retries += retries
        self.timeouts += timeouts
        self.crcErrors += crcErrors
        self.protocolErrors += protocolErrors
        self.exceptions += exceptions
        self.echoesSkipped += echoesSkipped
        if failed {
            failedRequests += 1
        }
        if let roundTripNanoseconds {
            recordRoundTrip(nanoseconds: roundTripNanoseconds)
        }
    }

    /// One line for logs and the console:
    /// `requests=1200 retries=3 timeouts=2 crc=1 protocol=0 exceptions=0 echoes=0 failed=0 rtt_us p50=812 p99=1900 max=2400`.
    public var summary: String {
        var line = "requests=\(requests) retries=\(retries) timeouts=\(timeouts) crc=\(crcErrors)"
            + " protocol=\(protocolErrors) exceptions=\(exceptions) echoes=\(echoesSkipped) failed=\(failedRequests)"
        if roundTripMicroseconds.totalCount > 0 {
            line += " rtt_us p50=\(roundTripMicroseconds.valueAtPercentile(50))"
                + " p99=\(roundTripMicroseconds.valueAtPercentile(99))"
                + " max=\(roundTripMicroseconds.max)"
        } else {
            line += " rtt_us none"
        }
        return line
    }
}
