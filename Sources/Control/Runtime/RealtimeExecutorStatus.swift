/// What a `RealtimeLoopExecutor` asked for and what it got. Shown at start, in status lines
/// and in `RealtimeReport`; a fallback to Dispatch is never silent.
public struct RealtimeExecutorStatus: Sendable, Equatable, Codable {
    public var loopName: String
    public var requestedPriority: Int32
    public var requestedCPU: Int?
    /// The loop thread runs SCHED_FIFO at `requestedPriority`.
    public var fifoGranted = false
    /// mlockall(MCL_CURRENT | MCL_FUTURE) succeeded.
    public var memoryLocked = false
    public var memoryLockFailure: String?
    public var affinityFailure: String?
    public var timerSlackFailure: String?
    /// The loop thread's timer slack after setting it (prctl PR_GET_TIMERSLACK).
    public var timerSlackNanoseconds: Int?
    /// The `/dev/cpu_dma_latency` limit held while running, in µs (nil: none held).
    public var cpuWakeupLatencyMicroseconds: Int32?
    public var cpuWakeupLatencyFailure: String?
    /// CPUs the loop thread may run on.
    public var threadCPUs: [Int] = []
    /// Set when the loop runs on a Dispatch timer because real-time was refused: why.
    public var fallbackReason: String?

    public init(loopName: String, requestedPriority: Int32, requestedCPU: Int?) {
        self.loopName = loopName
        self.requestedPriority = requestedPriority
        self.requestedCPU = requestedCPU
    }

    /// True when the loop is on Dispatch instead of its real-time thread.
    public var fellBackToDispatch: Bool { fallbackReason != nil }

    /// Things that were asked for and not granted, apart from the fallback itself.
    public var warnings: [String] {
        [memoryLockFailure.map { "memory not locked, page faults possible: \($0)" },
         affinityFailure.map { "not pinned to the requested CPU: \($0)" },
         timerSlackFailure.map { "timer slack not set: \($0)" },
         cpuWakeupLatencyFailure.map { "CPU idle states not limited, wake-ups may be slower: \($0)" }]
            .compactMap { $0 }
    }

    /// One line: `realtime (SCHED_FIFO 80, memory locked, cpus 1, timer slack 1 ns)` or
    /// `dispatch (FALLBACK: real-time refused: ...)`.
    public var summary: String {
        if let fallbackReason {
            return "dispatch (FALLBACK: real-time refused: \(fallbackReason))"
        }
        guard fifoGranted else { return "realtime (not started)" }
        var parts = ["SCHED_FIFO \(requestedPriority)"]
        parts.append(memoryLocked ? "memory locked" : "memory NOT locked")
        parts.append("cpus \(threadCPUs.map(String.init).joined(separator: ","))")
        if let timerSlackNanoseconds {
            parts.append("timer slack \(timerSlackNanoseconds) ns")
        }
        if let cpuWakeupLatencyMicroseconds {
            parts.append("cpu_dma_latency \(cpuWakeupLatencyMicroseconds) µs")
        }
        return "realtime (\(parts.joined(separator: ", ")))"
    }
}
