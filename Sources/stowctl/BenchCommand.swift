import ArgumentParser
import Foundation
import HAL

/// `stowctl bench ...`: measurements of our own stack, for scripts/bench-* (not tests: nothing
/// here passes or fails on a number).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure our own stack: Modbus, the drive bus, perception, the simulated tick, a whole campaign.",
        subcommands: [BenchModbus.self, BenchBus.self, BenchPerception.self, BenchSimTick.self, BenchCampaign.self]
    )
}

/// `stowctl bench modbus`: back-to-back FC 0x03 reads, the same ones Tests/Peers/pymodbus_read_rate.py
/// does, so scripts/bench-modbus can put the two rates side by side.
struct BenchModbus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modbus",
        abstract: "Read the statusword (0x6041) back to back for a while; report reads/s, latency and framing cost.",
        discussion: """
            Opens --port with the termios backend (ptys and UARTs alike), reads --count registers \
            from 0x6041 of --unit as fast as the bus allows for --seconds, then measures in-process \
            what building a request and checking a reply (framing + CRC-16) costs per frame.

            The line defaults match pymodbus_read_rate.py: 115200 baud, no parity, 2 stop bits, \
            1 s timeout, no retries. The client keeps the Modbus inter-frame gap (1.75 ms above \
            19200 baud) before every request, as on a real RS-485 line.

            Example: stowctl bench modbus --port /dev/ttyUSB0 --unit 1 --seconds 5 --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Serial port path (a UART, a USB adapter, or a pseudo-terminal).")
    var port: String

    @Option(help: "Modbus unit id (1...247).")
    var unit: Int = 1

    @Option(help: "How long to read, in seconds.")
    var seconds: Double = 5

    @Option(help: "Baud rate.")
    var baud: Int = 115_200

    @Option(help: "Parity: none, even, odd.")
    var parity: String = "none"

    @Option(name: .customLong("stop-bits"), help: "Stop bits: 1 or 2.")
    var stopBits: Int = 2

    @Option(help: "Registers per read, from 0x6041.")
    var count: Int = 1

    @Option(name: .customLong("timeout-ms"), help: "Reply timeout per request, in ms.")
    var timeoutMS: Double = 1000

    @Option(help: "Extra attempts after a timeout or a bad reply.")
    var retries: Int = 0

    @Option(
        name: .customLong("gap-us"),
        help: "Inter-frame gap before each request, in µs (default: the serial line spec's t3.5). 0 only makes sense on a pty.")
    var gapMicroseconds: Double?

    @Option(name: .customLong("framing-iterations"), help: "Frames per batch for the in-process framing measurement.")
    var framingIterations: Int = 20_000

    @Flag(help: "Print one JSON line instead of text.")
    var json = false

    func validate() throws {
        guard (1...247).contains(unit) else { throw ValidationError("--unit: \(unit) is outside 1...247") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard (1...ModbusRequest.maxReadCount).contains(count) else {
            throw ValidationError("--count: \(count) is outside 1...\(ModbusRequest.maxReadCount)")
        }
        if let gapMicroseconds, !(gapMicroseconds >= 0 && gapMicroseconds <= 1_000_000) {
            throw ValidationError("--gap-us: \(gapMicroseconds) is outside 0...1000000")
        }
        guard framingIterations > 0 else { throw ValidationError("--framing-iterations must be positive") }
        guard SerialSettings.Parity(rawValue: parity) != nil else {
            throw ValidationError("--parity: '\(parity)' is not one of none, even, odd")
        }
        guard SerialSettings.StopBits(rawValue: stopBits) != nil else {
            throw ValidationError("--stop-bits: \(stopBits) is not 1 or 2")
        }
    }

    func run() throws {
        try global.bootstrapLogging()
        let settings = SerialSettings(
            baud: baud, parity: SerialSettings.Parity(rawValue: parity)!, stopBits: SerialSettings.StopBits(rawValue: stopBits)!)
        let stream = try TermiosPort(path: port, settings: settings)
        defer { stream.close() }
        let client = ModbusRTUClient(
            stream: stream, settings: settings,
            options: ModbusRTUClient.Options(
                responseTimeoutMilliseconds: timeoutMS, maxRetries: retries,
                interFrameGapNanoseconds: gapMicroseconds.map { UInt64($0 * 1000) }),
            busName: port)
        let gapNanoseconds = gapMicroseconds.map { UInt64($0 * 1000) } ?? settings.modbusInterFrameGapNanoseconds

        // The read loop: nothing in it but the client call and a counter.
        let statusword: UInt16 = 0x6041
        var reads = 0
        var errors = 0
        let start = MonotonicInstant.now()
        let end = start.adding(nanoseconds: UInt64(seconds * 1e9))
        while MonotonicInstant.now() < end {
            do {
                _ = try client.readHoldingRegisters(unit: UInt8(unit), address: statusword, count: UInt16(count))
                reads += 1
            } catch let error as HALError {
                errors += 1
                if error.cause == .closed { throw error }
            }
        }
        let elapsedSeconds = Double(start.nanoseconds(until: .now())) / 1e9
        let statistics = client.statistics

        let framing = FramingCost.measure(unit: UInt8(unit), count: count, iterationsPerBatch: framingIterations)
        let roundTrip = statistics.roundTripMicroseconds
        let report: [String: Any] = [
            "client": "stowctl",
            "reads": reads,
            "seconds": (elapsedSeconds * 1000).rounded() / 1000,
            "reads_per_s": (Double(reads) / elapsedSeconds * 10).rounded() / 10,
            "p50_ms": Double(roundTrip.valueAtPercentile(50)) / 1000,
            "p99_ms": Double(roundTrip.valueAtPercentile(99)) / 1000,
            "errors": errors,
            "inter_frame_gap_us": Double(gapNanoseconds) / 1000,
            "encode_ns_median": framing.encodeNanoseconds,
            "decode_ns_median": framing.decodeNanoseconds,
            "framing_crc_ns_per_frame": framing.perFrameNanoseconds,
            "bus": statistics.summary,
        ]
        if json {
            try printJSON(report)
        } else {
            print("""
                \(port) unit \(unit), \(settings): \(reads) reads in \(format2(elapsedSeconds)) s \
                = \(format2(Double(reads) / elapsedSeconds)) reads/s, \(errors) errors
                round trip p50 \(format2(Double(roundTrip.valueAtPercentile(50)) / 1000)) ms, \
                p99 \(format2(Double(roundTrip.valueAtPercentile(99)) / 1000)) ms \
                (inter-frame gap \(format2(Double(gapNanoseconds) / 1000)) µs)
                framing + CRC: \(format2(framing.perFrameNanoseconds)) ns per frame \
                (encode request \(format2(framing.encodeNanoseconds)) ns, check reply \(format2(framing.decodeNanoseconds)) ns; medians)
                bus: \(statistics.summary)
                """)
        }
    }
}

/// What building one request frame and checking one reply frame cost, in-process, no I/O.
struct FramingCost {
    /// Median over batches of the per-frame time to encode a request (PDU + CRC).
    var encodeNanoseconds: Double
    /// Median over batches of the per-frame time to parse and check a reply (CRC included).
    var decodeNanoseconds: Double
    /// (encode + decode) / 2: the cost of one frame through our framing, either direction.
    var perFrameNanoseconds: Double { (encodeNanoseconds + decodeNanoseconds) / 2 }

    /// Runs 31 batches of each; the median batch is robust to the odd scheduler hiccup.
    static func measure(unit: UInt8, count: Int, iterationsPerBatch: Int) -> FramingCost {
        let request = ModbusRequest.readHoldingRegisters(address: 0x6041, count: UInt16(count))
        var reply: [UInt8] = [unit, 0x03, UInt8(2 * count)]
        for index in 0..<count {
            reply += [0x02, UInt8(truncatingIfNeeded: 0x37 + index)]
        }
        CRC16.append(to: &reply)

        var frame: [UInt8] = []
        frame.reserveCapacity(256)
        // Results feed a checksum that a branch below depends on, so the optimiser cannot drop
        // the work being timed.
        var sink = 0

        let batches = 31
        var encodeTimes: [Double] = []
        var decodeTimes: [Double] = []
        for _ in 0..<batches {
            let encodeStart = MonotonicInstant.now()
            for _ in 0..<iterationsPerBatch {
                try? request.encode(unit: unit, into: &frame)
                sink &+= Int(frame[frame.count - 1])
            }
            let encodeEnd = MonotonicInstant.now()
            for _ in 0..<iterationsPerBatch {
                if case let .complete(_, length) = ModbusReply.parse(reply[...], for: request, unit: unit) {
                    sink &+= length
                }
            }
            let decodeEnd = MonotonicInstant.now()
            encodeTimes.append(Double(encodeStart.nanoseconds(until: encodeEnd)) / Double(iterationsPerBatch))
            decodeTimes.append(Double(encodeEnd.nanoseconds(until: decodeEnd)) / Double(iterationsPerBatch))
        }
        if sink == 42 {
            FileHandle.standardError.write(Data("framing checksum \(sink)\n".utf8))
        }
        return FramingCost(encodeNanoseconds: median(encodeTimes), decodeNanoseconds: median(decodeTimes))
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return ((sorted[sorted.count / 2]) * 10).rounded() / 10
    }
}
