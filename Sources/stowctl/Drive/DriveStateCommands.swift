import ArgumentParser
import Foundation
import HAL

/// A CiA 402 object named on the command line: `statusword`, `target-velocity`, or `0x6041`.
func parseObject(_ text: String) throws -> CiA402Object {
    if let object = CiA402Object.allCases.first(where: { $0.name == text }) {
        return object
    }
    let digits = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
    if let index = UInt16(digits, radix: 16), let object = CiA402Object(rawValue: index) {
        return object
    }
    let known = CiA402Object.allCases.map(\.description).joined(separator: ", ")
    throw ValidationError("unknown CiA 402 object '\(text)'; use a name or index: \(known)")
}

struct DriveRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read one CiA 402 object as a raw value in drive units.",
        discussion: "OBJECT is a name (statusword, error-code, position-actual, ...) or an index (0x6041)."
    )

    @OptionGroup var options: DriveCommonOptions

    @Argument(help: "The object to read.")
    var object: String

    func run() throws {
        try options.global.bootstrapLogging()
        let object = try parseObject(self.object)
        let connection = try options.connection.open()
        defer { connection.stream.close() }
        let value = try connection.drive.readObject(object, deadline: .inMilliseconds(options.deadlineMS))
        if options.json {
            try printJSON(["unit": Int(connection.drive.unit), "object": object.name, "index": Int(object.rawValue), "value": value])
        } else {
            print("\(object) = \(value)")
        }
    }
}

struct DriveWrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write one CiA 402 object as a raw value in drive units.",
        discussion: "The value must fit the object's type (a uint16 controlword, an int32 target, ...)."
    )

    @OptionGroup var options: DriveCommonOptions

    @Argument(help: "The object to write.")
    var object: String

    @Argument(help: "The raw value (decimal, or hex with 0x).")
    var value: String

    func run() throws {
        try options.global.bootstrapLogging()
        let object = try parseObject(self.object)
        let lower = value.lowercased()
        let parsed = lower.hasPrefix("0x") ? Int64(lower.dropFirst(2), radix: 16) : Int64(value)
        guard let raw = parsed, object.valueType.range.contains(raw) else {
            throw ValidationError("value '\(value)' does not fit \(object) (allowed \(object.valueType.range))")
        }
        let connection = try options.connection.open()
        defer { connection.stream.close() }
        try connection.drive.writeObject(object, value: raw, deadline: .inMilliseconds(options.deadlineMS))
        if options.json {
            try printJSON(["unit": Int(connection.drive.unit), "object": object.name, "index": Int(object.rawValue), "value": raw])
        } else {
            print("\(object) <- \(raw)")
        }
    }
}

/// Shared body of enable / disable / reset: act, then print the status the drive ended in.
private func runStateChange(_ options: DriveCommonOptions, _ action: (ModbusCiA402Drive, MonotonicInstant) throws -> Void) throws {
    try options.global.bootstrapLogging()
    let connection = try options.connection.open()
    defer { connection.stream.close() }
    let deadline = MonotonicInstant.inMilliseconds(options.deadlineMS)
    try action(connection.drive, deadline)
    let report = try DriveStatusReport(drive: connection.drive, deadline: .inMilliseconds(options.deadlineMS))
    if options.json {
        try printJSON(report.json)
    } else {
        print(report.text)
    }
}

struct DriveEnable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Walk the drive to operation_enabled (target velocity set to 0 first).",
        discussion: "Refuses a drive in fault: read its error code with status, fix the cause, then reset."
    )

    @OptionGroup var options: DriveCommonOptions

    func run() throws {
        try runStateChange(options) { drive, deadline in try drive.enable(deadline: deadline) }
    }
}

struct DriveDisable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Walk the drive to switch_on_disabled (power stage off)."
    )

    @OptionGroup var options: DriveCommonOptions

    func run() throws {
        try runStateChange(options) { drive, deadline in try drive.disable(deadline: deadline) }
    }
}

struct DriveReset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Clear a drive fault (rising edge on controlword bit 7).",
        discussion: "Fails naming the error code when the fault's cause is still present."
    )

    @OptionGroup var options: DriveCommonOptions

    func run() throws {
        try runStateChange(options) { drive, deadline in _ = try drive.faultReset(deadline: deadline) }
    }
}
