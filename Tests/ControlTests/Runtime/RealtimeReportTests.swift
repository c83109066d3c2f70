import Foundation
import Testing

@testable import Control

/// The real-time report: preemption model parsing and what it shows.
@Suite struct RealtimeReportTests {
    @Test("the preemption model comes from uname -v and /sys/kernel/realtime")
    func preemptionModel() {
        #expect(RealtimeReport.preemptionModel(version: "#1 SMP PREEMPT_RT Tue Jan 1", realtimeFlag: nil) == .realtime)
        #expect(RealtimeReport.preemptionModel(version: "#1 SMP PREEMPT_DYNAMIC Tue", realtimeFlag: "1") == .realtime)
        #expect(RealtimeReport.preemptionModel(version: "#1 SMP PREEMPT_DYNAMIC @0", realtimeFlag: nil) == .dynamic)
        #expect(RealtimeReport.preemptionModel(version: "#1 SMP PREEMPT Mon", realtimeFlag: nil) == .full)
        #expect(RealtimeReport.preemptionModel(version: "#1 SMP Debian 6.1.0", realtimeFlag: nil) == .voluntaryOrNone)
    }

    @Test("a captured report prints every item and encodes to JSON")
    func capturedReportPrintsAndEncodes() throws {
        let report = RealtimeReport.capture()
        let text = report.description
        for label in ["kernel:", "preemption:", "SCHED_FIFO:", "RLIMIT_RTPRIO:", "RLIMIT_MEMLOCK:", "CPUs:", "timer slack:", "RT throttling:"] {
            #expect(text.contains(label), "missing \(label)")
        }
        #expect(!report.allowedCPUs.isEmpty)
        #expect(report.onlineCPUs >= 1)

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["preemption"] != nil)
        #expect(json?["fifoPermitted"] is Bool)
        #expect(try JSONDecoder().decode(RealtimeReport.self, from: JSONEncoder().encode(report)) == report)
    }
}
