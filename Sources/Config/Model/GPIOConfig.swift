import Yams

/// Which gpiochip holds the EOAT's lines.
public enum ChipSelector: Equatable, Sendable, CustomStringConvertible {
    /// `/dev/gpiochip0` or `gpiochip0`.
    case path(String)
    /// The chip's label, which survives renumbering (`pinctrl-bcm2711`).
    case label(String)

    public var description: String {
        switch self {
        case let .path(path): return path
        case let .label(label): return "label \(label)"
        }
    }
}

/// A line on the chip: by the name the device tree gives it, or by offset.
public enum LineReference: Hashable, Sendable, CustomStringConvertible {
    case name(String)
    case offset(Int)

    public var description: String {
        switch self {
        case let .name(name): return name
        case let .offset(offset): return "offset \(offset)"
        }
    }
}

public enum LineBias: String, CaseIterable, Sendable {
    case asIs = "as-is"
    case disabled
    case pullUp = "pull-up"
    case pullDown = "pull-down"
}

public enum LineDrive: String, CaseIterable, Sendable {
    case pushPull = "push-pull"
    case openDrain = "open-drain"
    case openSource = "open-source"
}

public struct InputSignalConfig: Equatable, Sendable {
    public var name: String
    public var line: LineReference
    public var activeLow: Bool
    public var bias: LineBias
    /// Edges closer together than this are one edge (contact bounce).
    public var debounceMS: Double
    /// Where the signal is defined, for cross-check errors.
    public var location: SourceLocation
}

public struct OutputSignalConfig: Equatable, Sendable {
    public var name: String
    public var line: LineReference
    public var activeLow: Bool
    public var drive: LineDrive
    /// The value the output takes when requested, when released, and on any safety stop.
    public var safeValue: Bool
    /// Longest time the output may hold a non-safe value without being refreshed; nil = no limit.
    public var deadmanMS: Double?
    public var location: SourceLocation
}

public struct GPIOConfig: Equatable, Sendable {
    /// Nil only on the simulator, where lines are simulated.
    public var chip: ChipSelector?
    public var inputs: [InputSignalConfig]
    public var outputs: [OutputSignalConfig]

    public func input(_ name: String) -> InputSignalConfig? { inputs.first { $0.name == name } }
    public func output(_ name: String) -> OutputSignalConfig? { outputs.first { $0.name == name } }
}

/// A place in a config file.
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

extension GPIOConfig {
    static func read(_ node: ConfigNode, backend: Backend) -> GPIOConfig? {
        guard let map = node.mapping() else { return nil }
        let chipNode = map.optional("chip")
        let labelNode = map.optional("chip_label")
        var chip: ChipSelector?
        switch (chipNode, labelNode) {
        case let (path?, nil): chip = path.name().map(ChipSelector.path)
        case let (nil, label?): chip = label.name().map(ChipSelector.label)
        case (_?, let label?):
            node.reader.error(at: label, "give either chip or chip_label, not both")
        case (nil, nil):
            if backend == .linux {
                node.reader.error(at: map.mark, node.path + ".chip", "required key is missing",
                                  hint: "name the gpiochip by path (chip: /dev/gpiochip0) or label (chip_label: ...)")
            }
        }
        let inputs = map.required("inputs").flatMap(readInputs)
        let outputs = map.required("outputs").flatMap(readOutputs)
        map.finish()
        if let inputs {
            checkAllWired(.input, wired: inputs.map(\.name), map: map, reader: node.reader)
        }
        if let outputs {
            checkAllWired(.output, wired: outputs.map(\.name), map: map, reader: node.reader)
        }
        return GPIOConfig(chip: chip, inputs: inputs ?? [], outputs: outputs ?? [])
    }

    private static func readInputs(_ node: ConfigNode) -> [InputSignalConfig]? {
        guard let map = node.mapping() else { return nil }
        var result: [InputSignalConfig] = []
        for (name, keyMark, value) in map.allEntries() {
            guard checkSignalName(name, expected: .input, at: keyMark, value) else { continue }
            guard let fields = value.mapping() else { continue }
            let line = fields.required("line")?.lineReference()
            let activeLow = fields.optional("active_low")?.bool() ?? false
            let bias = fields.optional("bias")?.oneOf(LineBias.self) ?? .asIs
            let debounce = fields.optional("debounce_ms")?.double(in: 0...1000, unit: "ms") ?? 0
            fields.finish()
            if let line {
                result.append(InputSignalConfig(
                    name: name, line: line, activeLow: activeLow, bias: bias, debounceMS: debounce,
                    location: SourceLocation(mark: keyMark)))
            }
        }
        return result
    }

    private static func readOutputs(_ node: ConfigNode) -> [OutputSignalConfig]? {
        guard let map = node.mapping() else { return nil }
        var result: [OutputSignalConfig] = []
        for (name, keyMark, value) in map.allEntries() {
            guard checkSignalName(name, expected: .output, at: keyMark, value) else { continue }
            guard let fields = value.mapping() else { continue }
            let line = fields.required("line")?.lineReference()
            let activeLow = fields.optional("active_low")?.bool() ?? false
            let drive = fields.optional("drive")?.oneOf(LineDrive.self) ?? .pushPull
            let safe = fields.required("safe", hint: "the value this output takes on any stop: true or false")?.bool()
            let deadman = fields.optional("deadman_ms")?.double(in: 1...60_000, unit: "ms")
            fields.finish()
            if let line, let safe {
                result.append(OutputSignalConfig(
                    name: name, line: line, activeLow: activeLow, drive: drive, safeValue: safe,
                    deadmanMS: deadman, location: SourceLocation(mark: keyMark)))
            }
        }
        return result
    }

    private static func checkSignalName(_ name: String, expected: SignalDirection, at mark: Yams.Mark?, _ node: ConfigNode) -> Bool {
        guard let spec = SignalCatalog.spec(named: name) else {
            let guess = closest(to: name, among: SignalCatalog.names(expected))
            node.reader.error(at: mark, node.path, "unknown signal",
                              hint: guess.map { "did you mean '\($0)'?" } ?? "see firmware-config/README.md for the signal list")
            return false
        }
        guard spec.direction == expected else {
            node.reader.error(at: mark, node.path, "'\(name)' is an \(spec.direction.rawValue), listed under \(expected.rawValue)s",
                              hint: "move it to gpio.\(spec.direction.rawValue)s")
            return false
        }
        return true
    }

    private static func checkAllWired(_ direction: SignalDirection, wired: [String], map: MappingReader, reader: ConfigReader) {
        let section = "\(direction.rawValue)s"
        for name in SignalCatalog.names(direction) where !wired.contains(name) {
            reader.error(at: map.keyMark(section), "\(map.path).\(section)",
                         "signal '\(name)' is not wired", hint: "the controller needs every EOAT signal; add it")
        }
    }
}

extension SourceLocation {
    init(mark: Mark?) {
        self.init(line: mark?.line ?? 0, column: mark?.column ?? 0)
    }
}
