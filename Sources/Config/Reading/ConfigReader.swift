import Yams

/// Collects diagnostics while a config file is read, so every problem is reported at once.
final class ConfigReader {
    let file: String
    private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Where each key path's value sits in the file, for errors found after reading.
    private var locations: [String: SourceLocation] = [:]

    init(file: String) {
        self.file = file
    }

    func error(at mark: Mark?, _ keyPath: String, _ message: String, hint: String = "") {
        diagnostics.append(ConfigDiagnostic(
            file: file, line: mark?.line ?? 0, column: mark?.column ?? 0,
            keyPath: keyPath, message: message, hint: hint))
    }

    func append(_ diagnostic: ConfigDiagnostic) {
        diagnostics.append(diagnostic)
    }

    func record(_ keyPath: String, at mark: Mark?) {
        locations[keyPath] = SourceLocation(mark: mark)
    }

    func location(of keyPath: String) -> SourceLocation? {
        locations[keyPath]
    }

    func error(at node: ConfigNode, _ message: String, hint: String = "") {
        error(at: node.mark, node.path, message, hint: hint)
    }
}

/// A YAML node with its dotted key path, so every error can say where it is.
struct ConfigNode {
    let node: Node
    let path: String
    let reader: ConfigReader
    /// The key that introduced this value (`bus0:`), where errors about the whole value point.
    var keyMark: Mark? = nil

    var mark: Mark? { node.mark }

    /// The node as a mapping with key tracking, or nil after reporting a type error.
    func mapping() -> MappingReader? {
        guard case let .mapping(mapping) = node else {
            reader.error(at: self, "expected a mapping of keys, found \(describe(node))")
            return nil
        }
        return MappingReader(mapping: mapping, path: path, reader: reader, keyMark: keyMark)
    }

    /// The node's elements, or nil after reporting a type error.
    func sequence() -> [ConfigNode]? {
        guard case let .sequence(sequence) = node else {
            reader.error(at: self, "expected a list, found \(describe(node))")
            return nil
        }
        return sequence.enumerated().map { index, element in
            ConfigNode(node: element, path: "\(path)[\(index)]", reader: reader)
        }
    }

    func child(_ key: String, _ node: Node) -> ConfigNode {
        ConfigNode(node: node, path: path.isEmpty ? key : "\(path).\(key)", reader: reader)
    }
}

/// Reads the keys of one YAML mapping. Every key must be read by name; `finish()` reports the
/// rest as unknown, because a typo silently ignored is a robot misconfigured (Klipper's rule).
final class MappingReader {
    let path: String
    let reader: ConfigReader
    let mark: Mark?
    private let entries: [(key: String, keyMark: Mark?, value: Node)]
    private var consumed: Set<String> = []

    init(mapping: Node.Mapping, path: String, reader: ConfigReader, keyMark: Mark?) {
        self.path = path
        self.reader = reader
        self.mark = keyMark ?? mapping.mark
        var entries: [(key: String, keyMark: Mark?, value: Node)] = []
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key else {
                reader.error(at: key.mark, path, "keys must be plain names, found \(describe(key))")
                continue
            }
            entries.append((scalar.string, scalar.mark, value))
        }
        self.entries = entries
    }

    /// All keys, in file order. Use for maps whose keys are names (drives, signals, buses).
    var keys: [String] { entries.map(\.key) }

    func keyMark(_ key: String) -> Mark? {
        entries.first { $0.key == key }?.keyMark
    }

    /// The value under `key`, marking it read. Nil when absent.
    func optional(_ key: String) -> ConfigNode? {
        consumed.insert(key)
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        reader.record(childPath(key), at: entry.value.mark)
        return ConfigNode(node: entry.value, path: childPath(key), reader: reader, keyMark: entry.keyMark)
    }

    /// The value under `key`; reports a missing key at the mapping and returns nil.
    func required(_ key: String, hint: String = "") -> ConfigNode? {
        guard let node = optional(key) else {
            let here = path.isEmpty ? "the top level" : "'\(path)'"
            reader.error(at: mark, childPath(key), "required key is missing from \(here)", hint: hint)
            return nil
        }
        return node
    }

    /// Every (key, value) pair, marking all read. For maps keyed by user-chosen names.
    func allEntries() -> [(key: String, keyMark: Mark?, node: ConfigNode)] {
        entries.map { entry in
            consumed.insert(entry.key)
            reader.record(childPath(entry.key), at: entry.keyMark)
            return (entry.key, entry.keyMark,
                    ConfigNode(node: entry.value, path: childPath(entry.key), reader: reader, keyMark: entry.keyMark))
        }
    }

    /// Reports every key that nothing read, with the closest known key as a suggestion.
    func finish() {
        for entry in entries where !consumed.contains(entry.key) {
            var hint = "remove it"
            if let guess = closest(to: entry.key, among: Array(consumed)) {
                hint = "did you mean '\(guess)'?"
            }
            reader.error(at: entry.keyMark, childPath(entry.key), "unknown key", hint: hint)
        }
    }

    private func childPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}

/// A short description of a node's kind for type errors.
func describe(_ node: Node) -> String {
    switch node {
    case let .scalar(scalar):
        return scalar.string.isEmpty ? "an empty value" : "'\(scalar.string)'"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

/// The candidate nearest to `word` by edit distance, if it is close enough to be a typo.
func closest(to word: String, among candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}

private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        previous = current
    }
    return previous[b.count]
}
