import Foundation
import Glibc

/// What this machine and process allow a real-time loop: printed at start and on request
/// (`stowctl latency-test`), JSON-encodable for scripts.
///
/// How to read it: a `PREEMPT_RT` kernel gives bounded latency; `PREEMPT` / `PREEMPT_DYNAMIC`
/// (full) is usually good to ~100 µs; `voluntary` or `none` only best effort. SCHED_FIFO needs
/// root, CAP_SYS_NICE or RLIMIT_RTPRIO ≥ the priority; mlockall needs CAP_IPC_LOCK or a large
/// enough RLIMIT_MEMLOCK. `sched_rt_runtime_us` below the period (default 950000 of 1000000)
/// means RT throttling: FIFO threads are stopped for the rest of each second once they used
/// that much, which only a runaway loop ever hits.
public struct RealtimeReport: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The kernel's preemption model, from `uname -v` and `/sys/kernel/realtime`.
    public enum PreemptionModel: String, Sendable, Codable {
        /// PREEMPT_RT (`/sys/kernel/realtime` is 1, or `PREEMPT_RT` in `uname -v`).
        case realtime = "PREEMPT_RT"
        /// Full preemption (`PREEMPT`).
        case full = "PREEMPT"
        /// Chosen at boot (`PREEMPT_DYNAMIC`); `dynamicMode` says which, when debugfs shows it.
        case dynamic = "PREEMPT_DYNAMIC"
        /// No preemption keyword: voluntary or none, best effort only.
        case voluntaryOrNone = "voluntary/none"
    }

    /// `6.18.44 #1 SMP PREEMPT_DYNAMIC ...` (uname -r and -v).
    public var kernel: String
    public var preemption: PreemptionModel
    /// For PREEMPT_DYNAMIC: the active mode from /sys/kernel/debug/sched/preempt (`full`,
    /// `voluntary`, `none`), nil when debugfs is not readable.
    public var dynamicMode: String?
    /// A throwaway thread asked for SCHED_FIFO priority 1 and got it.
    public var fifoPermitted: Bool
    /// RLIMIT_RTPRIO soft and hard limit (nil: unlimited).
    public var rtprioLimitSoft: UInt64?
    public var rtprioLimitHard: UInt64?
    /// RLIMIT_MEMLOCK soft and hard limit in bytes (nil: unlimited).
    public var memlockLimitSoftBytes: UInt64?
    public var memlockLimitHardBytes: UInt64?
    /// CPUs the calling thread may run on, and how many are online.
    public var allowedCPUs: [Int]
    public var onlineCPUs: Int
    /// The calling thread's timer slack (prctl PR_GET_TIMERSLACK); Linux's default is 50 µs.
    public var timerSlackNanoseconds: Int?
    /// /proc/sys/kernel/sched_rt_runtime_us and sched_rt_period_us (-1 runtime: no throttling).
    public var schedRTRuntimeMicroseconds: Int?
    public var schedRTPeriodMicroseconds: Int?
    /// The system-wide CPU wake-up latency limit (/dev/cpu_dma_latency) in µs; 2000000000 means
    /// none, so CPUs may use deep idle states (see `CPUWakeupLatencyRequest`).
    public var cpuWakeupLatencyLimitMicroseconds: Int32?
    /// The real-time executor's own account (FIFO and mlockall granted, fallback), when one ran.
    public var executor: RealtimeExecutorStatus?

    /// Looks at the kernel and this process now. Pass the executor's status to include what it
    /// was granted.
    public static func capture(executor: RealtimeExecutorStatus? = nil) -> RealtimeReport {
        var names = utsname()
        uname(&names)
        let release = Self.string(fromTuple: &names.release)
        let version = Self.string(fromTuple: &names.version)
        let rtprio = Self.limit(Int32(__RLIMIT_RTPRIO.rawValue))
        let memlock = Self.limit(Int32(__RLIMIT_MEMLOCK.rawValue))
        return RealtimeReport(
            kernel: "\(release) \(version)",
            preemption: preemptionModel(version: version, realtimeFlag: readTrimmed("/sys/kernel/realtime")),
            dynamicMode: readDynamicMode(),
            fifoPermitted: probeFIFO(),
            rtprioLimitSoft: rtprio.soft, rtprioLimitHard: rtprio.hard,
            memlockLimitSoftBytes: memlock.soft, memlockLimitHardBytes: memlock.hard,
            allowedCPUs: RealtimeCalls.currentThreadCPUs(),
            onlineCPUs: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            timerSlackNanoseconds: RealtimeCalls.timerSlackNanoseconds(),
            schedRTRuntimeMicroseconds: readTrimmed("/proc/sys/kernel/sched_rt_runtime_us").flatMap { Int($0) },
            schedRTPeriodMicroseconds: readTrimmed("/proc/sys/kernel/sched_rt_period_us").flatMap { Int($0) },
            cpuWakeupLatencyLimitMicroseconds: CPUWakeupLatencyRequest.currentLimitMicroseconds(),
            executor: executor)
    }

    /// The model a `uname -v` string and `/sys/kernel/realtime` content say.
    public static func preemptionModel(version: String, realtimeFlag: String?) -> PreemptionModel {
        let words = Set(version.split(separator: " ").map(String.init))
        if realtimeFlag == "1" || words.contains("PREEMPT_RT") { return .realtime }
        if words.contains("PREEMPT_DYNAMIC") { return .dynamic }
        if words.contains("PREEMPT") { return .full }
        return .voluntaryOrNone
    }

    public var description: String {
        var lines: [String] = []
        var model = preemption.rawValue
        if let dynamicMode { model += " (active: \(dynamicMode))" }
        lines.append("kernel:            \(kernel)")
        lines.append("preemption:        \(model)")
        lines.append("SCHED_FIFO:        \(fifoPermitted ? "permitted" : "REFUSED (needs root, CAP_SYS_NICE or RLIMIT_RTPRIO)")")
        lines.append("RLIMIT_RTPRIO:     \(Self.text(rtprioLimitSoft)) (hard \(Self.text(rtprioLimitHard)))")
        lines.append("RLIMIT_MEMLOCK:    \(Self.bytes(memlockLimitSoftBytes)) (hard \(Self.bytes(memlockLimitHardBytes)))")
        lines.append("CPUs:              allowed \(allowedCPUs.map(String.init).joined(separator: ",")) of \(onlineCPUs) online")
        lines.append("timer slack:       \(timerSlackNanoseconds.map { "\($0) ns" } ?? "unknown") (this thread)")
        let runtime = schedRTRuntimeMicroseconds.map(String.init) ?? "unknown"
        let period = schedRTPeriodMicroseconds.map(String.init) ?? "unknown"
        lines.append("RT throttling:     sched_rt_runtime_us \(runtime) of sched_rt_period_us \(period)")
        lines.append("cpu_dma_latency:   \(Self.wakeupLimitText(cpuWakeupLatencyLimitMicroseconds))")
        if let executor {
            lines.append("loop \(executor.loopName):      \(executor.summary)")
            for warning in executor.warnings {
                lines.append("  warning: \(warning)")
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - Private helpers

    private static func wakeupLimitText(_ microseconds: Int32?) -> String {
        guard let microseconds else { return "unknown (/dev/cpu_dma_latency not readable)" }
        if microseconds >= 2_000_000_000 { return "no limit (deep CPU idle states allowed; the RT executor sets 0 µs)" }
        return "\(microseconds) µs"
    }

    private static func string<T>(fromTuple tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// `getrlimit`.
    private static func limit(_ resource: Int32) -> (soft: UInt64?, hard: UInt64?) {
        var value = rlimit()
        guard getrlimit(resource, &value) == 0 else { return (nil, nil) }
        // RLIM_INFINITY is all ones, which Swift cannot import as an unsigned literal.
        let soft = value.rlim_cur == rlim_t.max ? nil : UInt64(value.rlim_cur)
        let hard = value.rlim_max == rlim_t.max ? nil : UInt64(value.rlim_max)
        return (soft, hard)
    }

    private static func readTrimmed(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// debugfs shows e.g. `none voluntary (full) lazy`; the one in parentheses is active.
    private static func readDynamicMode() -> String? {
        guard let text = readTrimmed("/sys/kernel/debug/sched/preempt"),
            let open = text.firstIndex(of: "("), let close = text.firstIndex(of: ")"), open < close
        else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    /// Asks for SCHED_FIFO on a throwaway thread, so the caller's own policy is untouched.
    private static func probeFIFO() -> Bool {
        final class Result: @unchecked Sendable { var permitted = false }
        let result = Result()
        guard let thread = try? JoinablePThread(name: "stow-rt-probe", body: {
            result.permitted = RealtimeCalls.setFIFOPriorityOfCurrentThread(1) == nil
        }) else { return false }
        thread.join()
        return result.permitted
    }

    private static func text(_ value: UInt64?) -> String {
        value.map(String.init) ?? "unlimited"
    }

    private static func bytes(_ value: UInt64?) -> String {
        guard let value else { return "unlimited" }
        return value >= 1 << 20 ? "\(value >> 20) MiB" : "\(value >> 10) KiB"
    }
}
