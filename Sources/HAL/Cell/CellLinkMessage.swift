// The "cell link" line protocol between the EOAT controller and the cell controller (the PLC, arm
// controller or warehouse gateway), described in docs/cell-link.md. Written by hand: it is ours.
//
// One ASCII line per message, ending in LF (a CR before it is ignored). Fields are separated by
// single spaces. Every request carries a sequence number; every answer echoes it, so an answer
// that arrives late is never taken for the answer to a newer request.
//
//   controller -> cell                              cell -> controller
//   MOVE <seq> induct                               OK <seq>
//   MOVE <seq> sideline                             ERR <seq> <reason...>
//   MOVE <seq> bin <name> <x_mm> <advance_mm>       ITEM <seq> <id> <kind> <w_mm> <h_mm> <d_mm> <mass_kg>
//   WHAT <seq>                                      NOITEM <seq>
//
// MOVE is answered OK (accepted, the arm will go; arrival is `arm.in-position`) or ERR (refused).
// WHAT is answered ITEM or NOITEM (or ERR). WHAT doubles as the heartbeat: the link sends one
// every poll period, so a cell controller that stops answering is noticed within one reply timeout.

/// A request from us to the cell controller.
public enum CellRequest: Equatable, Sendable {
    /// Asks the arm for a pose.
    case move(sequence: UInt32, pose: ArmPose)
    /// Asks which item is at the induct or in the jaws; also the heartbeat.
    case what(sequence: UInt32)

    public var sequence: UInt32 {
        switch self {
        case let .move(sequence, _), let .what(sequence): return sequence
        }
    }

    /// The line on the wire, with its LF.
    public var line: String {
        switch self {
        case let .what(sequence):
            return "WHAT \(sequence)\n"
        case let .move(sequence, pose):
            switch pose.station {
            case .induct: return "MOVE \(sequence) induct\n"
            case .sideline: return "MOVE \(sequence) sideline\n"
            case let .bin(name):
                return "MOVE \(sequence) bin \(name) \(CellLinkNumber.format(pose.xMM)) \(CellLinkNumber.format(pose.advanceMM))\n"
            }
        }
    }

    /// The line without its LF, for logs and errors (`MOVE 12 bin r1c2 140.0 -20.0`).
    public var summary: String { String(line.dropLast()) }
}

/// An answer from the cell controller.
public enum CellAnswer: Equatable, Sendable {
    /// The request with this number was accepted.
    case ok(sequence: UInt32)
    /// The request with this number was refused, and why (free text from the cell controller).
    case err(sequence: UInt32, reason: String)
    /// The item at the induct or in the jaws.
    case item(sequence: UInt32, entry: ItemCatalogEntry)
    /// No item at the induct or in the jaws.
    case noItem(sequence: UInt32)

    public var sequence: UInt32 {
        switch self {
        case let .ok(sequence), let .err(sequence, _), let .item(sequence, _), let .noItem(sequence): return sequence
        }
    }

    /// The line on the wire, with its LF (what a cell controller sends; used by tests and tools).
    public var line: String {
        switch self {
        case let .ok(sequence): return "OK \(sequence)\n"
        case let .err(sequence, reason): return "ERR \(sequence) \(reason)\n"
        case let .noItem(sequence): return "NOITEM \(sequence)\n"
        case let .item(sequence, entry):
            let sizes = [entry.widthMM, entry.heightMM, entry.depthMM, entry.massKG].map(CellLinkNumber.format)
            return "ITEM \(sequence) \(entry.id) \(entry.kind) " + sizes.joined(separator: " ") + "\n"
        }
    }

    /// Parses one line (without its LF; a trailing CR is ignored). Never traps: every malformed
    /// line is a `CellLinkParseError` that quotes it and says what is wrong.
    public static func parse(_ text: Substring) throws(CellLinkParseError) -> CellAnswer {
        let line = text.hasSuffix("\r") ? text.dropLast() : text
        guard line.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw CellLinkParseError(line: line, problem: "not printable ASCII")
        }
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard let keyword = fields.first, !keyword.isEmpty else {
            throw CellLinkParseError(line: line, problem: line.isEmpty ? "empty line" : "starts with a space")
        }
        if fields.dropFirst().contains(where: \.isEmpty), keyword != "ERR" {
            throw CellLinkParseError(line: line, problem: "fields must be separated by exactly one space")
        }
        func sequence() throws(CellLinkParseError) -> UInt32 {
            guard fields.count >= 2 else { throw CellLinkParseError(line: line, problem: "\(keyword) needs a sequence number") }
            guard let value = UInt32(fields[1]), fields[1].first != "+" else {
                throw CellLinkParseError(line: line, problem: "sequence number '\(fields[1])' is not a whole number 0...\(UInt32.max)")
            }
            return value
        }
        func expectFields(_ count: Int, _ shape: String) throws(CellLinkParseError) {
            guard fields.count == count else {
                throw CellLinkParseError(line: line, problem: "\(keyword) takes \(count - 1) field(s) (\(shape)), found \(fields.count - 1)")
            }
        }
        switch keyword {
        case "OK":
            try expectFields(2, "<seq>")
            return .ok(sequence: try sequence())
        case "NOITEM":
            try expectFields(2, "<seq>")
            return .noItem(sequence: try sequence())
        case "ERR":
            let seq = try sequence()
            let reason = fields.dropFirst(2).joined(separator: " ").trimmingSpaces()
            guard !reason.isEmpty else { throw CellLinkParseError(line: line, problem: "ERR needs a reason after the sequence number") }
            return .err(sequence: seq, reason: reason)
        case "ITEM":
            try expectFields(8, "<seq> <id> <kind> <w_mm> <h_mm> <d_mm> <mass_kg>")
            let seq = try sequence()
            func number(_ index: Int, _ name: String, _ range: ClosedRange<Double>) throws(CellLinkParseError) -> Double {
                guard let value = CellLinkNumber.parse(fields[index]) else {
                    throw CellLinkParseError(line: line, problem: "\(name) '\(fields[index])' is not a decimal number")
                }
                guard range.contains(value) else {
                    throw CellLinkParseError(line: line, problem: "\(name) \(fields[index]) is out of range \(CellLinkNumber.format(range.lowerBound))...\(CellLinkNumber.format(range.upperBound))")
                }
                return value
            }
            let entry = ItemCatalogEntry(
                id: String(fields[2]), kind: String(fields[3]),
                widthMM: try number(4, "w_mm", 1...2000), heightMM: try number(5, "h_mm", 1...2000),
                depthMM: try number(6, "d_mm", 1...2000), massKG: try number(7, "mass_kg", 0...100))
            return .item(sequence: seq, entry: entry)
        default:
            throw CellLinkParseError(line: line, problem: "unknown keyword '\(keyword)' (expected OK, ERR, ITEM or NOITEM)")
        }
    }
}

/// A line from the cell controller that is not a valid answer.
public struct CellLinkParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The offending line, cut to 80 characters.
    public var line: String
    public var problem: String

    init(line: Substring, problem: String) {
        self.line = line.count > 80 ? String(line.prefix(80)) + "..." : String(line)
        self.problem = problem
    }

    public var description: String { "bad line from the cell controller '\(line)': \(problem)" }
}

/// Numbers on the wire: plain decimals (`140`, `-20.5`), no exponent, no inf or nan.
enum CellLinkNumber {
    /// One decimal (`140.0`, `-20.5`). Values no pose or item can have (not finite, beyond
    /// 10^12) fall back to Swift's own spelling, which `parse` then rejects.
    static func format(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return "\(value)" }
        let tenths = (value * 10).rounded()
        let sign = tenths < 0 ? "-" : ""
        let magnitude = Int(abs(tenths))
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    static func parse(_ text: Substring) -> Double? {
        var digits = text
        if digits.first == "-" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !digits.isEmpty, digits.count <= 12,
              parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else { return nil }
        return Double(text)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
