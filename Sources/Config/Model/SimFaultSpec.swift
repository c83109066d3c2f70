/// One fault to inject, written the same way in config (`sim.faults`), at the console
/// (`sim fault ...`) and in tests:
///
///     serial-timeout bus0 rate 0.05 for 2s       a share of replies never comes
///     serial-crc bus0 burst 3                     the next 3 replies have a bad CRC
///     serial-garble bus0 rate 0.1 at 10s          replies turn to noise
///     drive-fault plank 0x7500 in make_space      the drive latches an error code
///     drive-stall jaw for 500ms                   the motor cannot move
///     drive-frozen left-belt for 1s               feedback stops updating
///     input-stuck eoat.plank.home true for 2s     a line reads a fixed value
///     input-bounce eoat.jaw.open for 50ms         a line chatters
///     estop at 12.5s                              the e-stop chain opens
///     camera-drop for 1s | camera-freeze | camera-stale 400ms
///     slow-tick 5ms                               the next control tick takes 5 ms longer
///
/// Triggers: `at T` (simulated time since start), `in PHASE` (when the controller enters a stow
/// phase), or none (now). Durations: `for T`; without one, the fault lasts until cleared (one-shot
/// faults like `burst` and `slow-tick` end by themselves). Times take `ms` or `s`.
public struct SimFaultSpec: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case serialTimeout(bus: String)
        case serialCRC(bus: String)
        case serialGarble(bus: String)
        case driveFault(role: DriveRole, code: UInt16)
        case driveStall(role: DriveRole)
        case driveFrozenFeedback(role: DriveRole)
        case inputStuck(signal: String, value: Bool)
        case inputBounce(signal: String)
        case estop
        case cameraDrop
        case cameraFreeze
        case cameraStale(byNanoseconds: UInt64)
        case slowTick(byNanoseconds: UInt64)
    }

    public enum Trigger: Equatable, Sendable {
        case now
        /// Simulated time since the start of the run.
        case at(nanosecondsAfterStart: UInt64)
        case phase(StowPhase)
    }

    public var kind: Kind
    public var trigger: Trigger = .now
    public var durationNanoseconds: UInt64?
    /// Serial faults: the share of replies affected while active (default 1 = every reply).
    public var rate: Double = 1
    /// Serial faults: affect only the next N replies.
    public var burst: Int?
    /// The text it was parsed from.
    public var description: String

    /// The name used in logs and the fault matrix: `serial-timeout`, `drive-fault`, ...
    public var kindName: String {
        switch kind {
        case .serialTimeout: return "serial-timeout"
        case .serialCRC: return "serial-crc"
        case .serialGarble: return "serial-garble"
        case .driveFault: return "drive-fault"
        case .driveStall: return "drive-stall"
        case .driveFrozenFeedback: return "drive-frozen"
        case .inputStuck: return "input-stuck"
        case .inputBounce: return "input-bounce"
        case .estop: return "estop"
        case .cameraDrop: return "camera-drop"
        case .cameraFreeze: return "camera-freeze"
        case .cameraStale: return "camera-stale"
        case .slowTick: return "slow-tick"
        }
    }

    /// Every kind, as written, for help texts and the fault matrix.
    public static let kindNames = [
        "serial-timeout", "serial-crc", "serial-garble", "drive-fault", "drive-stall", "drive-frozen",
        "input-stuck", "input-bounce", "estop", "camera-drop", "camera-freeze", "camera-stale", "slow-tick",
    ]
}

/// A fault spec that does not parse: says which word and what was expected.
public struct SimFaultSyntaxError: Error, Equatable, CustomStringConvertible {
    public var text: String
    public var message: String
    public var description: String { "'\(text)': \(message)" }
}
