/// A JSON value for `--json` and `mode json` answers, written with keys in the order given.
///
/// Hand-written because Foundation's JSONSerialization takes `Any` and loses the key order, and
/// Codable would need one type per answer; this keeps each command's fields next to its text.
public indirect enum ConsoleJSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ConsoleJSON])
    case object([(String, ConsoleJSON)])

    public static func == (lhs: ConsoleJSON, rhs: ConsoleJSON) -> Bool { lhs.rendered == rhs.rendered }

    public static func int<T: BinaryInteger>(_ value: T) -> ConsoleJSON { .number(Double(value)) }

    /// One line of JSON.
    public var rendered: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .number(value):
            guard value.isFinite else { return "null" }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        case let .string(value): return Self.quoted(value)
        case let .array(values): return "[" + values.map(\.rendered).joined(separator: ",") + "]"
        case let .object(fields):
            return "{" + fields.map { Self.quoted($0.0) + ":" + $0.1.rendered }.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
