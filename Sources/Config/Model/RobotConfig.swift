import Foundation
import Yams

/// What the controller runs on.
public enum Backend: String, CaseIterable, Sendable {
    /// Real hardware through libgpiod and serial ports.
    case linux
    /// SimHAL: simulated devices and a pod world.
    case sim
}

/// The whole robot, typed and validated: wiring, buses, drives, rates, limits, timeouts.
///
/// Load with `RobotConfig.load(path:)`. Either every check passes and you get a config the
/// controller can trust, or a `ConfigError` lists every problem with its file, line and column.
public struct RobotConfig: Equatable, Sendable {
    public var file: String
    public var name: String
    public var backend: Backend
    public var gpio: GPIOConfig
    public var buses: [BusConfig]
    public var registerProfiles: [RegisterProfileConfig]
    public var drives: [DriveConfig]
    public var loops: LoopConfig
    public var stow: StowConfig
    public var safety: SafetyConfig
    public var camera: CameraConfig
    public var console: ConsoleConfig
    /// The serial link to the cell controller (arm moves, item catalog); only on `backend: linux`,
    /// where `stowctl run` needs it.
    public var cell: CellConfig?
    /// Present exactly when `backend == .sim`.
    public var sim: SimConfig?

    public func drive(_ role: DriveRole) -> DriveConfig? { drives.first { $0.role == role } }
    public func bus(named name: String) -> BusConfig? { buses.first { $0.name == name } }
    public func registerProfile(named name: String) -> RegisterProfileConfig? {
        registerProfiles.first { $0.name == name }
    }
}

extension RobotConfig {
    /// Reads and validates a config file. Throws `ConfigError` with every problem found.
    public static func load(path: String) throws -> RobotConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check permissions)" : "no such file"
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: path, line: 0, column: 0, keyPath: "", message: reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: path, line: 0, column: 0, keyPath: "",
                                                             message: "is not UTF-8 text")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Validates config text; `file` is the name used in diagnostics.
    public static func parse(yaml text: String, file: String) throws -> RobotConfig {
        let reader = ConfigReader(file: file)
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw ConfigError(diagnostics: [ConfigDiagnostic(file: file, line: 1, column: 1, keyPath: "",
                                                                 message: "the file is empty")])
            }
            root = composed
        } catch let error as YamlError {
            throw ConfigError(diagnostics: [yamlDiagnostic(error, text: text, file: file)])
        }
        let config = read(ConfigNode(node: root, path: "", reader: reader))
        guard reader.diagnostics.isEmpty, let config else {
            let sorted = reader.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
            throw ConfigError(diagnostics: sorted)
        }
        return config
    }

    private static func read(_ root: ConfigNode) -> RobotConfig? {
        guard let map = root.mapping() else { return nil }
        var name: String?
        var backend: Backend?
        if let robotNode = map.required("robot"), let robot = robotNode.mapping() {
            name = robot.required("name")?.name()
            backend = robot.required("backend")?.oneOf(Backend.self)
            robot.finish()
        }
        let gpio = map.required("gpio").flatMap { GPIOConfig.read($0, backend: backend ?? .linux) }
        let busesNode = map.required("buses")
        let buses = busesNode.flatMap { readBuses($0, backend: backend ?? .linux) }
        let busNames = busesNode.flatMap { node -> [String]? in
            guard case let .mapping(mapping) = node.node else { return nil }
            return mapping.compactMap { $0.key.scalar?.string }
        }
        let profiles = RegisterProfileConfig.builtIn + (map.optional("register_profiles").flatMap(readProfiles) ?? [])
        let drives = map.required("drives").flatMap(readDrives)
        let loops = map.required("loops").flatMap(LoopConfig.read)
        let speedLimits = Dictionary(uniqueKeysWithValues: (drives ?? []).map { ($0.role, $0.limits.maxSpeedMMPerS) })
        let stow = map.required("stow").flatMap { StowConfig.read($0, speedLimits: speedLimits) }
        let safety = map.required("safety").flatMap(SafetyConfig.read)
        let camera = map.required("camera").flatMap(CameraConfig.read)
        let console = map.optional("console").map { ConsoleConfig.read($0) } ?? ConsoleConfig.defaults
        let cellNode = map.optional("cell")
        let cell = cellNode.flatMap(CellConfig.read)
        if backend == .sim, let cellNode {
            root.reader.error(at: cellNode.keyMark, "cell", "only read when robot.backend is linux",
                              hint: "remove it: the simulator has its own arm and induct")
        }
        let simNode = map.optional("sim")
        let sim = simNode.flatMap(SimConfig.read)
        if backend == .sim, simNode == nil {
            root.reader.error(at: map.mark, "sim", "required when robot.backend is sim", hint: "describe the pod world")
        }
        if backend == .linux, let simNode {
            root.reader.error(at: simNode.keyMark, "sim", "only read when robot.backend is sim", hint: "remove it")
        }
        map.finish()
        CrossChecks(sections: ConfigSections(gpio: gpio, buses: buses, busNames: busNames, registerProfiles: profiles, drives: drives,
                                             loops: loops, stow: stow, safety: safety),
                    reader: root.reader).run()
        guard let name, let backend, let gpio, let buses, let drives, let loops, let stow, let safety,
              let camera, let console else { return nil }
        if backend == .sim, sim == nil { return nil }
        return RobotConfig(
            file: root.reader.file, name: name, backend: backend, gpio: gpio, buses: buses,
            registerProfiles: profiles, drives: drives, loops: loops, stow: stow, safety: safety,
            camera: camera, console: console, cell: cell, sim: sim)
    }

    private static func readBuses(_ node: ConfigNode, backend: Backend) -> [BusConfig]? {
        guard let map = node.mapping() else { return nil }
        let entries = map.allEntries()
        if entries.isEmpty {
            node.reader.error(at: node, "at least one bus is needed")
        }
        return entries.compactMap { BusConfig.read(name: $0.key, keyMark: SourceLocation(mark: $0.keyMark), $0.node, backend: backend) }
    }

    private static func readProfiles(_ node: ConfigNode) -> [RegisterProfileConfig]? {
        guard let map = node.mapping() else { return nil }
        return map.allEntries().compactMap { entry in
            if RegisterProfileConfig.builtIn.contains(where: { $0.name == entry.key }) {
                node.reader.error(at: entry.keyMark, entry.node.path, "'\(entry.key)' is built in and cannot be redefined",
                                  hint: "give your profile another name")
                return nil
            }
            return RegisterProfileConfig.read(name: entry.key, entry.node)
        }
    }

    private static func readDrives(_ node: ConfigNode) -> [DriveConfig]? {
        guard let map = node.mapping() else { return nil }
        var drives: [DriveConfig] = []
        for entry in map.allEntries() {
            guard let role = DriveRole(rawValue: entry.key) else {
                let known = DriveRole.allCases.map(\.rawValue)
                node.reader.error(at: entry.keyMark, entry.node.path, "unknown drive",
                                  hint: closest(to: entry.key, among: known).map { "did you mean '\($0)'?" }
                                    ?? "the EOAT has \(known.joined(separator: ", "))")
                continue
            }
            if let drive = DriveConfig.read(role: role, keyMark: SourceLocation(mark: entry.keyMark), entry.node) {
                drives.append(drive)
            }
        }
        for role in DriveRole.allCases where !map.keys.contains(role.rawValue) {
            node.reader.error(at: node.keyMark, "drives.\(role.rawValue)", "drive is missing",
                              hint: "the EOAT needs jaw, left-belt, right-belt and plank")
        }
        return drives
    }

    /// Turns a Yams parse error into a diagnostic at its line and column.
    private static func yamlDiagnostic(_ error: YamlError, text: String, file: String) -> ConfigDiagnostic {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return ConfigDiagnostic(file: file, line: mark.line, column: mark.column, keyPath: "",
                                    message: "YAML syntax: \(detail)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? "?"
            let first = SourceLocation(mark: context.mark)
            let second = DuplicateKeyLocator.secondOccurrence(of: key, after: first, in: text) ?? first
            return ConfigDiagnostic(file: file, line: second.line, column: second.column, keyPath: "",
                                    message: "duplicate key '\(key)'",
                                    hint: "first defined at line \(context.mark.line); a YAML mapping keeps only one, so remove the other")
        case let .reader(problem, _, _, _):
            return ConfigDiagnostic(file: file, line: 0, column: 0, keyPath: "", message: "YAML reader: \(problem)")
        default:
            return ConfigDiagnostic(file: file, line: 0, column: 0, keyPath: "", message: "YAML: \(error)")
        }
    }
}

/// Yams reports a duplicate key at its first occurrence; people fix the second one.
enum DuplicateKeyLocator {
    /// The next line after `first` that starts with `key:` at the same column.
    static func secondOccurrence(of key: String, after first: SourceLocation, in text: String) -> SourceLocation? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        for index in first.line..<lines.count {
            let line = Array(lines[index].unicodeScalars)
            let start = first.column - 1
            guard start < line.count else { continue }
            let rest = String(String.UnicodeScalarView(line[start...]))
            let before = String(String.UnicodeScalarView(line[..<start]))
            if before.allSatisfy({ $0 == " " || $0 == "-" }), rest.hasPrefix(key + ":") {
                return SourceLocation(line: index + 1, column: first.column)
            }
        }
        return nil
    }
}
