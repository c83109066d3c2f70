import Foundation
import Testing

/// `stowctl latency-test`, run as a user would. Short runs; figures are checked for shape and
/// order, never for size.
struct LatencyTestCommandTests {
    static let keys = ["executor", "hz", "samples", "min_us", "avg_us", "p50_us", "p99_us", "p999_us", "max_us", "missed"]

    static func json(_ result: StowctlProcess.Result) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object, "not a JSON object: \(result.stdout)")
    }

    @Test("--json on Dispatch prints every figure, in order")
    func dispatchJSONHasEveryKey() throws {
        let result = try StowctlProcess.run(["latency-test", "--hz", "500", "--seconds", "0.3", "--executor", "dispatch", "--json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try Self.json(result)
        for key in Self.keys {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["executor"] as? String == "dispatch")
        #expect(json["hz"] as? Double == 500)
        let samples = try #require(json["samples"] as? Int)
        #expect(samples > 0)
        let figures = try ["min_us", "p50_us", "p99_us", "p999_us", "max_us"].map { try #require(json[$0] as? Double) }
        #expect(figures == figures.sorted())
        #expect(json["realtime_report"] is [String: Any])
    }

    @Test("--executor realtime says which executor ran, and why when it fell back")
    func realtimeJSONNamesTheExecutor() throws {
        let result = try StowctlProcess.run(["latency-test", "--seconds", "0.3", "--executor", "realtime", "--json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try Self.json(result)
        let executor = try #require(json["executor"] as? String)
        #expect(executor == "realtime" || (executor == "dispatch" && json["fallback_reason"] is String))
        #expect(json["executor_requested"] as? String == "realtime")
    }

    @Test("text output shows the report, the figures and a verdict")
    func textOutput() throws {
        let result = try StowctlProcess.run(["latency-test", "--seconds", "0.2", "--executor", "dispatch"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        for text in ["preemption:", "SCHED_FIFO:", "wake-up latency µs: min ", " p99.9 ", "verdict: "] {
            #expect(result.stdout.contains(text), "missing \(text)")
        }
    }

    @Test("a rate or duration that is not positive is refused with a message")
    func badInputIsRefused() throws {
        let zeroRate = try StowctlProcess.run(["latency-test", "--hz", "0"])
        #expect(zeroRate.exitCode != 0)
        #expect(zeroRate.stderr.contains("--hz must be above 0"))

        let zeroSeconds = try StowctlProcess.run(["latency-test", "--seconds", "0"])
        #expect(zeroSeconds.exitCode != 0)
        #expect(zeroSeconds.stderr.contains("--seconds must be positive"))

        let badPriority = try StowctlProcess.run(["latency-test", "--priority", "120"])
        #expect(badPriority.exitCode != 0)
        #expect(badPriority.stderr.contains("--priority: 120 is outside 1...99"))
    }
}
