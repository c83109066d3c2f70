import CGPIOD

/// How a line is requested: active level, internal bias resistor, output drive.
///
/// These become the `GPIOD_LINE_REQUEST_FLAG_*` bits of a libgpiod v1 request. One value applies to
/// a whole request, because a libgpiod v1 bulk request takes one set of flags for all its lines.
public struct GPIOLineOptions: Equatable, Sendable {
    /// When true the line is asserted (logical `true`) at low voltage, as for the e-stop chain.
    /// The kernel inverts values and edge directions, so callers always see logical values.
    public var activeLow: Bool
    public var bias: GPIOBias
    /// Only meaningful for outputs; the kernel rejects open-drain/open-source on inputs.
    public var drive: GPIODrive

    public init(activeLow: Bool = false, bias: GPIOBias = .asIs, drive: GPIODrive = .pushPull) {
        self.activeLow = activeLow
        self.bias = bias
        self.drive = drive
    }

    /// The `flags` field of `struct gpiod_line_request_config`.
    public var requestFlags: Int32 {
        var flags = 0
        if activeLow { flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW }
        switch bias {
        case .asIs: break
        case .disabled: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE
        case .pullUp: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP
        case .pullDown: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN
        }
        switch drive {
        case .pushPull: break
        case .openDrain: flags |= GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN
        case .openSource: flags |= GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE
        }
        return Int32(flags)
    }
}

/// The internal bias resistor of a line. Spelled as in config and on the command line.
public enum GPIOBias: String, CaseIterable, Codable, Sendable {
    /// Leave whatever the firmware or device tree configured.
    case asIs = "as-is"
    case disabled
    case pullUp = "pull-up"
    case pullDown = "pull-down"
}

/// How an output drives its pin. Spelled as in config and on the command line.
public enum GPIODrive: String, CaseIterable, Codable, Sendable {
    case pushPull = "push-pull"
    /// Drives low only; high is left to a pull-up (wired-OR lines, level shifting).
    case openDrain = "open-drain"
    /// Drives high only; low is left to a pull-down.
    case openSource = "open-source"
}

/// Which way a line points, as the kernel reports it.
public enum GPIODirection: String, Codable, Sendable {
    case input
    case output
}
