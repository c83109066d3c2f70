import Config

/// What the console asks of the control side. Posted through `ConsoleRequestQueue` and carried
/// out between control ticks (or at the start of one) by the thread that runs the controller,
/// so nothing the supervisor or the stow cycle owns is touched from the console's thread.
public enum ConsoleRequest: Equatable, Sendable {
    case resetFaults
    case acknowledge
    case estop
    case armMaintenance
    case disarmMaintenance
    case set(signal: String, value: Bool)
    case jog(drive: DriveRole, velocityMMPerS: Double)
    case home(drive: DriveRole)
    case enable(drive: DriveRole)
    case disable(drive: DriveRole)
    case simFault(line: String)
    case simFaultClear(kind: String?)
}

/// The control side's answer to one request.
public enum ConsoleReply: Equatable, Sendable {
    /// Done; the text (possibly empty) is printed before `ok`.
    case done(String)
    /// Refused; the text says why and what to do, printed as `error: ...`.
    case refused(String)
}
