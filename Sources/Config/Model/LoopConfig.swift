/// Which executor runs a loop.
public enum LoopExecutorKind: String, CaseIterable, Sendable {
    /// A SCHED_FIFO thread with absolute clock_nanosleep deadlines.
    case realtime
    /// A DispatchSourceTimer on the loop's own queue.
    case dispatch
}

/// What a loop does when a tick runs past its period.
public enum OverrunPolicy: String, CaseIterable, Sendable {
    /// Count it and carry on.
    case skip
    /// Latch a fault after `overrunLimit` consecutive overruns.
    case fault
}

public struct LoopRateConfig: Equatable, Sendable {
    public var name: String
    public var hz: Double
    public var executor: LoopExecutorKind
    public var overrun: OverrunPolicy
    /// Consecutive overruns that latch a fault when `overrun == .fault`.
    public var overrunLimit: Int

    public var periodMS: Double { 1000 / hz }
}

/// The fixed-period loops of the controller.
public struct LoopConfig: Equatable, Sendable {
    public var control: LoopRateConfig
    /// SCHED_FIFO priority of the control thread (1...99).
    public var realtimePriority: Int
    /// CPU the control thread is pinned to; nil = no affinity.
    public var controlCPU: Int?
    public var perception: LoopRateConfig
    public var console: LoopRateConfig
    public var telemetry: LoopRateConfig

    public var all: [LoopRateConfig] { [control, perception, console, telemetry] }
}

extension LoopConfig {
    static func read(_ node: ConfigNode) -> LoopConfig? {
        guard let map = node.mapping() else { return nil }
        var priority = 80
        var cpu: Int?
        let control = map.required("control").flatMap { controlNode -> LoopRateConfig? in
            guard let fields = controlNode.mapping() else { return nil }
            let rate = readRate(name: "control", fields, defaultExecutor: .realtime, allowed: 100...10_000)
            priority = fields.optional("priority")?.int(in: 1...99) ?? 80
            cpu = fields.optional("cpu")?.int(in: 0...1023)
            fields.finish()
            return rate
        }
        let perception = readSimple("perception", map, defaultHz: 15, allowed: 1...120)
        let console = readSimple("console", map, defaultHz: 50, allowed: 1...1000)
        let telemetry = readSimple("telemetry", map, defaultHz: 10, allowed: 0.1...1000)
        map.finish()
        guard let control, let perception, let console, let telemetry else { return nil }
        return LoopConfig(control: control, realtimePriority: priority, controlCPU: cpu,
                          perception: perception, console: console, telemetry: telemetry)
    }

    /// Perception, console and telemetry loops always run on Dispatch.
    private static func readSimple(_ name: String, _ map: MappingReader, defaultHz: Double, allowed: ClosedRange<Double>) -> LoopRateConfig? {
        guard let node = map.optional(name) else {
            return LoopRateConfig(name: name, hz: defaultHz, executor: .dispatch, overrun: .skip, overrunLimit: 1)
        }
        guard let fields = node.mapping() else { return nil }
        let rate = readRate(name: name, fields, defaultExecutor: .dispatch, allowed: allowed, executorChoice: false)
        fields.finish()
        return rate
    }

    private static func readRate(
        name: String, _ fields: MappingReader, defaultExecutor: LoopExecutorKind,
        allowed: ClosedRange<Double>, executorChoice: Bool = true
    ) -> LoopRateConfig? {
        let hz = fields.required("hz")?.double(in: allowed, unit: "Hz")
        let executor = executorChoice ? (fields.optional("executor")?.oneOf(LoopExecutorKind.self) ?? defaultExecutor) : defaultExecutor
        let overrun = fields.optional("overrun")?.oneOf(OverrunPolicy.self) ?? (name == "control" ? .fault : .skip)
        let limit = fields.optional("overrun_limit")?.int(in: 1...1000) ?? 5
        guard let hz else { return nil }
        return LoopRateConfig(name: name, hz: hz, executor: executor, overrun: overrun, overrunLimit: limit)
    }
}
