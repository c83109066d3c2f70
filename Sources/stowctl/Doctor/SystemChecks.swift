import Config
import Control
import Foundation

/// What the kernel and this process allow the control loop (from `RealtimeReport`), and the
/// clock source every timestamp comes from.
enum SystemChecks {
    /// mlockall of the whole process: the binary, its heap and stacks; 64 MiB is what the unit grants
    /// at the least (it grants unlimited).
    static let memlockNeededBytes: UInt64 = 64 << 20

    static func realtime(_ report: RealtimeReport, config: RobotConfig?) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let kernelFix = "install a PREEMPT_RT kernel (Debian: linux-image-rt-amd64 / linux-image-rt-arm64) and reboot"
        switch report.preemption {
        case .realtime:
            checks.append(.ok("realtime", "preemption", "PREEMPT_RT (\(report.kernel))"))
        case .full:
            checks.append(.warn("realtime", "preemption", "PREEMPT (full, not RT): usually fine to ~100 µs, not bounded",
                                fix: kernelFix))
        case .dynamic:
            if report.dynamicMode == "full" {
                checks.append(.warn("realtime", "preemption", "PREEMPT_DYNAMIC, active mode full: not bounded", fix: kernelFix))
            } else {
                let mode = report.dynamicMode.map { "active mode \($0)" } ?? "active mode unknown (debugfs not readable)"
                checks.append(.warn("realtime", "preemption", "PREEMPT_DYNAMIC, \(mode)",
                                    fix: "boot with preempt=full on the kernel command line, or better: " + kernelFix))
            }
        case .voluntaryOrNone:
            checks.append(.warn("realtime", "preemption", "voluntary/none: best effort only, millisecond stalls likely", fix: kernelFix))
        }
        if report.fifoPermitted {
            checks.append(.ok("realtime", "SCHED_FIFO", "permitted for this process"))
        } else {
            checks.append(.fail("realtime", "SCHED_FIFO", "refused (RLIMIT_RTPRIO \(text(report.rtprioLimitSoft)), no CAP_SYS_NICE)",
                                fix: "run as the service (deploy/stowctl.service grants CAP_SYS_NICE and LimitRTPRIO=95), "
                                    + "or as root, or raise the limit (ulimit -r 95)"))
        }
        let memlock = report.memlockLimitSoftBytes
        let ipcLock = hasEffectiveCapability(14)  // CAP_IPC_LOCK
        if geteuid() == 0 || ipcLock || memlock == nil || (memlock ?? 0) >= memlockNeededBytes {
            let why = geteuid() == 0 ? "root" : ipcLock ? "CAP_IPC_LOCK" : "RLIMIT_MEMLOCK \(bytes(memlock))"
            checks.append(.ok("realtime", "memory locking", "mlockall allowed (\(why))"))
        } else {
            checks.append(.fail("realtime", "memory locking", "RLIMIT_MEMLOCK \(bytes(memlock)): mlockall of the process would fail",
                                fix: "run as the service (LimitMEMLOCK=infinity, CAP_IPC_LOCK) or raise the limit (ulimit -l unlimited)"))
        }
        let qos = CPUWakeupLatencyRequest.devicePath
        if access(qos, W_OK) == 0 {
            checks.append(.ok("realtime", "CPU wake-up latency", "\(qos) writable: the control loop keeps CPUs out of deep idle"))
        } else {
            checks.append(.warn("realtime", "CPU wake-up latency", "\(qos): \(String(cString: strerror(errno)))",
                                fix: "install the udev rules (make install) so group stow may write it; without it "
                                    + "deep idle states add wake-up latency"))
        }
        if let runtime = report.schedRTRuntimeMicroseconds, let period = report.schedRTPeriodMicroseconds {
            checks.append(.ok("realtime", "RT throttling",
                              runtime < 0 ? "off (sched_rt_runtime_us -1)" : "FIFO threads may use \(runtime) of every \(period) µs"))
        }
        if let cpu = config?.loops.controlCPU {
            if report.allowedCPUs.contains(cpu) {
                checks.append(.ok("realtime", "control loop CPU", "CPU \(cpu) is allowed (of \(report.onlineCPUs) online)"))
            } else {
                checks.append(.fail("realtime", "control loop CPU", "loops.control.cpu \(cpu) is not among the allowed CPUs "
                                        + report.allowedCPUs.map(String.init).joined(separator: ","),
                                    fix: "set loops.control.cpu to an online CPU, or remove it"))
            }
        }
        return checks
    }

    /// The clock source: `tsc` (x86) and `arch_sys_counter` (ARM) are read in nanoseconds from user
    /// space; `hpet` and `acpi_pm` cost a microsecond or more per read; `kvm-clock` means a virtual machine.
    static func clockSource(directory: String = "/sys/devices/system/clocksource/clocksource0") -> DoctorCheck {
        let name = "clock source"
        guard let current = read("\(directory)/current_clocksource") else {
            return .warn("clock", name, "\(directory)/current_clocksource not readable", fix: "is /sys mounted?")
        }
        let available = read("\(directory)/available_clocksource") ?? "unknown"
        switch current {
        case "tsc", "arch_sys_counter":
            return .ok("clock", name, "\(current) (available: \(available))")
        case "kvm-clock", "hyperv_clocksource_tsc_page", "xen":
            return .warn("clock", name, "\(current): a virtual machine (available: \(available))",
                         fix: "fine for development and CI; run the robot on bare metal with tsc or arch_sys_counter")
        default:
            return .warn("clock", name, "\(current): slow to read, adds to every timestamp (available: \(available))",
                         fix: "dmesg | grep -i clocksource shows why tsc was rejected; fix the firmware setting or boot with "
                             + "tsc=reliable only if the TSC is known to be stable")
        }
    }

    /// Was the config found and valid?
    static func config(path: String) -> (DoctorCheck, RobotConfig?) {
        do {
            let config = try RobotConfig.load(path: path)
            return (.ok("config", path, "valid: robot \(config.name), backend \(config.backend.rawValue)"), config)
        } catch let error as ConfigError {
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            return (.fail("config", path, first, fix: "stowctl check-config \(path) lists every problem with its line"), nil)
        } catch {
            return (.fail("config", path, "\(error)", fix: "check the path"), nil)
        }
    }

    /// Bit `number` of CapEff in /proc/self/status (capability(7) numbers: CAP_IPC_LOCK is 14).
    static func hasEffectiveCapability(_ number: Int) -> Bool {
        guard let status = read("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & (1 << UInt64(number)) != 0
    }

    private static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func text(_ value: UInt64?) -> String { value.map(String.init) ?? "unlimited" }

    private static func bytes(_ value: UInt64?) -> String {
        guard let value else { return "unlimited" }
        return value >= 1 << 20 ? "\(value >> 20) MiB" : "\(value >> 10) KiB"
    }
}
