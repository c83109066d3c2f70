import CGPIOD
import Glibc

/// One line of an open chip, found by offset or name but not yet requested.
///
/// The corresponding C type is `struct gpiod_line`, which lives inside its `gpiod_chip`; this value
/// keeps the chip alive. Looking a line up claims nothing: requesting it does, through `GPIOInput`,
/// `GPIOOutput`, `GPIOLineSet` or `GPIOEdgeWatcher`.
public struct GPIOLine {
    public let chip: GPIOChip
    let handle: OpaquePointer

    init(chip: GPIOChip, handle: OpaquePointer) {
        self.chip = chip
        self.handle = handle
    }

    /// The line's offset on its chip. The corresponding C function is `gpiod_line_offset`.
    public var offset: Int {
        Int(gpiod_line_offset(handle))
    }

    /// The kernel's name for the line, nil when unnamed. The corresponding C function is
    /// `gpiod_line_name`.
    public var kernelName: String? {
        gpiod_line_name(handle).map { String(cString: $0) }
    }

    /// How the line is named in messages: `gpiochip0 line 3 "ESTOP_IN"`.
    public var displayName: String {
        if let kernelName {
            return "\(chip.name) line \(offset) \"\(kernelName)\""
        }
        return "\(chip.name) line \(offset)"
    }

    /// What the kernel says about the line now, re-read from the kernel.
    ///
    /// The corresponding C functions are `gpiod_line_update` and the `gpiod_line_*` getters.
    public func info() throws -> GPIOLineInfo {
        if gpiod_line_update(handle) != 0 {
            throw HALError(device: displayName, cause: .errno(call: "gpiod_line_update", code: errno))
        }
        return GPIOLineInfo(
            chip: chip.name,
            offset: offset,
            name: kernelName,
            consumer: gpiod_line_consumer(handle).map { String(cString: $0) },
            direction: gpiod_line_direction(handle) == GPIOD_LINE_DIRECTION_OUTPUT ? .output : .input,
            activeLow: gpiod_line_active_state(handle) == GPIOD_LINE_ACTIVE_STATE_LOW,
            bias: Self.bias(fromLibgpiod: gpiod_line_bias(handle)),
            drive: gpiod_line_is_open_drain(handle) ? .openDrain
                : gpiod_line_is_open_source(handle) ? .openSource : .pushPull,
            used: gpiod_line_is_used(handle)
        )
    }

    /// The consumer holding the line, if any, re-read from the kernel; nil when free or unknown.
    /// Used to say *who* has a line when a request fails with EBUSY.
    ///
    /// The corresponding C functions are `gpiod_line_update` and `gpiod_line_consumer`.
    public func currentConsumer() -> String? {
        guard gpiod_line_update(handle) == 0, gpiod_line_is_used(handle) else { return nil }
        return gpiod_line_consumer(handle).map { String(cString: $0) } ?? "(unnamed consumer)"
    }

    private static func bias(fromLibgpiod value: Int32) -> GPIOBias {
        switch Int(value) {
        case GPIOD_LINE_BIAS_DISABLE: return .disabled
        case GPIOD_LINE_BIAS_PULL_UP: return .pullUp
        case GPIOD_LINE_BIAS_PULL_DOWN: return .pullDown
        default: return .asIs
        }
    }
}

/// What the kernel reports about one line, for `stowctl gpio list` and diagnostics.
public struct GPIOLineInfo: Equatable, Codable, Sendable {
    /// The chip's kernel name (`gpiochip0`).
    public var chip: String
    public var offset: Int
    /// The kernel's line name; nil when the line is unnamed.
    public var name: String?
    /// Who holds the line (`stowctl`, a kernel driver, a hog); nil when free.
    public var consumer: String?
    public var direction: GPIODirection
    public var activeLow: Bool
    /// `.asIs` when the kernel does not know (no bias was ever requested).
    public var bias: GPIOBias
    public var drive: GPIODrive
    /// True when anyone, this process included, holds the line.
    public var used: Bool

    public init(
        chip: String, offset: Int, name: String?, consumer: String?, direction: GPIODirection,
        activeLow: Bool, bias: GPIOBias, drive: GPIODrive, used: Bool
    ) {
        self.chip = chip
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.direction = direction
        self.activeLow = activeLow
        self.bias = bias
        self.drive = drive
        self.used = used
    }
}
