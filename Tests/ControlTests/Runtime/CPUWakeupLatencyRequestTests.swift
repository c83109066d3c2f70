import Foundation
import Testing
@testable import Control

@Suite("CPU wake-up latency request (/dev/cpu_dma_latency)")
struct CPUWakeupLatencyRequestTests {
    @Test("while a 0 µs request is held the kernel's limit reads 0; release closes it and is idempotent")
    func holdAndRelease() throws {
        guard access(CPUWakeupLatencyRequest.devicePath, W_OK) == 0 else {
            // Not root, or no PM QoS device: the failure must name the device and the errno.
            #expect(throws: RealtimeCallFailure.self) { try CPUWakeupLatencyRequest(microseconds: 0) }
            return
        }
        let request = try CPUWakeupLatencyRequest(microseconds: 0)
        #expect(CPUWakeupLatencyRequest.currentLimitMicroseconds() == 0)
        request.release()
        request.release()
    }
}
