import Foundation
import Yams

/// Typed reads of scalar values, with YAML's traps turned into errors.
///
/// We read scalars ourselves instead of trusting YAML's implicit typing, because YAML 1.1 and 1.2
/// disagree on exactly the values a robot config is full of: `no`, `on`, `off`, `y` are booleans in
/// 1.1 and strings in 1.2; `017` is 15 in 1.1 and 17 in 1.2. A config must mean one thing.
extension ConfigNode {
    /// The plain (unquoted) or quoted text of a scalar, or nil after reporting a type error.
    private func scalar() -> Node.Scalar? {
        guard case let .scalar(scalar) = node else {
            reader.error(at: self, "expected a single value, found \(describe(node))")
            return nil
        }
        if scalar.style == .plain, scalar.string.isEmpty || Self.nullWords.contains(scalar.string) {
            reader.error(at: self, "has no value", hint: "give a value or remove the key")
            return nil
        }
        return scalar
    }

    /// Text. A bare YAML 1.1 boolean (`no`, `on`, ...) or an octal-looking number is refused.
    func string() -> String? {
        guard let scalar = scalar() else { return nil }
        if scalar.style == .plain {
            if Self.booleanWords.contains(scalar.string) {
                reader.error(at: self, "'\(scalar.string)' is a YAML boolean, not text",
                             hint: "write \"\(scalar.string)\" in quotes if you mean the text")
                return nil
            }
            if Self.looksOctal(scalar.string) {
                reader.error(at: self, "'\(scalar.string)' looks like an octal number",
                             hint: "write \"\(scalar.string)\" in quotes if you mean the text")
                return nil
            }
        }
        return scalar.string
    }

    /// A non-empty name (a signal, drive or line name).
    func name() -> String? {
        guard let text = string() else { return nil }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            reader.error(at: self, "must not be blank")
            return nil
        }
        return text
    }

    /// An integer in `range`. Decimal or 0x-hex; leading zeros and quoted numbers are refused.
    func int(in range: ClosedRange<Int>, unit: String = "") -> Int? {
        guard let scalar = scalar() else { return nil }
        guard let value = parseInteger(scalar) else { return nil }
        guard range.contains(value) else {
            reader.error(at: self, "\(value)\(unit.isEmpty ? "" : " " + unit) is out of range",
                         hint: "allowed \(range.lowerBound)...\(range.upperBound)\(unit.isEmpty ? "" : " " + unit)")
            return nil
        }
        return value
    }

    /// A finite number in `range`.
    func double(in range: ClosedRange<Double>, unit: String = "") -> Double? {
        guard let scalar = scalar() else { return nil }
        guard scalar.style == .plain else {
            reader.error(at: self, "expected a number, found the quoted text '\(scalar.string)'", hint: "remove the quotes")
            return nil
        }
        if Self.looksOctal(scalar.string) {
            reader.error(at: self, "'\(scalar.string)' looks like an octal number", hint: "write it without the leading zero")
            return nil
        }
        guard let value = Double(scalar.string), value.isFinite, !scalar.string.lowercased().hasPrefix("0x") else {
            reader.error(at: self, "expected a number, found '\(scalar.string)'")
            return nil
        }
        guard range.contains(value) else {
            reader.error(at: self, "\(scalar.string)\(unit.isEmpty ? "" : " " + unit) is out of range",
                         hint: "allowed \(format(range.lowerBound))...\(format(range.upperBound))\(unit.isEmpty ? "" : " " + unit)")
            return nil
        }
        return value
    }

    /// `true` or `false` only; `yes`/`no`/`on`/`off` are refused because YAML versions disagree.
    func bool() -> Bool? {
        guard let scalar = scalar() else { return nil }
        if scalar.style == .plain {
            if scalar.string == "true" { return true }
            if scalar.string == "false" { return false }
        }
        reader.error(at: self, "expected true or false, found '\(scalar.string)'",
                     hint: Self.booleanWords.contains(scalar.string)
                        ? "YAML 1.1 and 1.2 read '\(scalar.string)' differently; write true or false"
                        : "write true or false")
        return nil
    }

    /// One of a fixed set of words.
    func oneOf<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> T? where T.RawValue == String {
        guard case let .scalar(raw) = node, raw.style == .plain, let value = T(rawValue: raw.string) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            if case .scalar = node, scalar() == nil { return nil }
            reader.error(at: self, "expected one of: \(allowed); found \(describe(node))")
            return nil
        }
        return value
    }

    /// A GPIO line: a bare integer is an offset, anything else a line name.
    func lineReference() -> LineReference? {
        guard let scalar = scalar() else { return nil }
        if scalar.style == .plain, scalar.string.allSatisfy(\.isNumber) {
            guard let offset = int(in: 0...1023) else { return nil }
            return .offset(offset)
        }
        guard let text = name() else { return nil }
        return .name(text)
    }

    // MARK: - Private helpers

    private func parseInteger(_ scalar: Node.Scalar) -> Int? {
        let text = scalar.string
        guard scalar.style == .plain else {
            reader.error(at: self, "expected a number, found the quoted text '\(text)'", hint: "remove the quotes")
            return nil
        }
        if Self.looksOctal(text) {
            reader.error(at: self, "'\(text)' looks like an octal number (YAML 1.1 reads 017 as 15)",
                         hint: "write it without the leading zero, or in hex as 0x..")
            return nil
        }
        let lower = text.lowercased()
        if lower.hasPrefix("0x"), let value = Int(lower.dropFirst(2).replacingOccurrences(of: "_", with: ""), radix: 16) {
            return value
        }
        if let value = Int(text) {
            return value
        }
        if Double(text) != nil {
            reader.error(at: self, "expected a whole number, found '\(text)'")
        } else {
            reader.error(at: self, "expected a number, found '\(text)'")
        }
        return nil
    }

    private static let nullWords: Set<String> = ["~", "null", "Null", "NULL"]

    /// YAML 1.1 booleans (yaml.org/type/bool.html).
    static let booleanWords: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]

    /// `017`, `-017`: a leading zero followed by digits.
    static func looksOctal(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? String(text.dropFirst()) : text
        return digits.count > 1 && digits.hasPrefix("0") && digits.allSatisfy(\.isNumber)
    }
}

/// A number printed without a needless `.0`.
func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}
