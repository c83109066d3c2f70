/// One problem found in a config file, pointing at the exact place.
///
/// Printed as `FILE:LINE:COL: error: key.path: what is wrong (hint)`, the format compilers use, so
/// editors and CI logs link straight to the line.
public struct ConfigDiagnostic: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public var line: Int
    /// 1-based column; 0 when the problem concerns the whole file.
    public var column: Int
    /// Dotted key path (`drives.plank.unit`), or empty for the whole file.
    public var keyPath: String
    public var message: String
    /// What to do about it; may be empty.
    public var hint: String

    public init(file: String, line: Int, column: Int, keyPath: String, message: String, hint: String = "") {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
        self.hint = hint
    }

    public var description: String {
        let place = keyPath.isEmpty ? "" : "\(keyPath): "
        let advice = hint.isEmpty ? "" : " (\(hint))"
        return "\(file):\(line):\(column): error: \(place)\(message)\(advice)"
    }
}

/// Every problem found in one config file. Thrown by `RobotConfig.load`; nothing starts.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var diagnostics: [ConfigDiagnostic]

    public init(diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
