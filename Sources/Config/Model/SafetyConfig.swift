/// Safety limits checked every control tick. Safe output values and dead-man times live with each
/// output in `gpio.outputs`; this section holds the rest.
public struct SafetyConfig: Equatable, Sendable {
    /// Bus cycles a drive may miss before the comm watchdog latches a fault.
    public var driveCommWatchdogCycles: Int
    /// Newest perception observation older than this is a `perception-stale` fault.
    public var perceptionMaxAgeMS: Double
    /// Drive feedback older than this is a `drive-feedback-stale` fault.
    public var driveFeedbackMaxAgeMS: Double
    /// The Linux watchdog device fed from the control loop, if configured.
    public var linuxWatchdog: LinuxWatchdogConfig?
}

public struct LinuxWatchdogConfig: Equatable, Sendable {
    public var device: String
    public var timeoutS: Int
}

extension SafetyConfig {
    static func read(_ node: ConfigNode) -> SafetyConfig? {
        guard let map = node.mapping() else { return nil }
        let cycles = map.required("drive_comm_watchdog_cycles")?.int(in: 1...100)
        let perceptionAge = map.required("perception_max_age_ms")?.double(in: 10...10_000, unit: "ms")
        let feedbackAge = map.required("drive_feedback_max_age_ms")?.double(in: 1...10_000, unit: "ms")
        var watchdog: LinuxWatchdogConfig?
        if let watchdogNode = map.optional("linux_watchdog"), let fields = watchdogNode.mapping() {
            let device = fields.required("device")?.name()
            let timeout = fields.required("timeout_s")?.int(in: 1...60, unit: "s")
            fields.finish()
            if let device, let timeout {
                watchdog = LinuxWatchdogConfig(device: device, timeoutS: timeout)
            }
        }
        map.finish()
        guard let cycles, let perceptionAge, let feedbackAge else { return nil }
        return SafetyConfig(driveCommWatchdogCycles: cycles, perceptionMaxAgeMS: perceptionAge,
                            driveFeedbackMaxAgeMS: feedbackAge, linuxWatchdog: watchdog)
    }
}
