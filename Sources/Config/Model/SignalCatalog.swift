/// Every digital signal the EOAT has, by its one dotted name (LinuxCNC HAL style).
///
/// The same name appears in config, logs, the console and the journal. Config may only wire
/// signals listed here, and must wire all of them: the controller needs every one.
public enum SignalDirection: String, Sendable {
    case input
    case output
}

public struct SignalSpec: Sendable {
    public var name: String
    public var direction: SignalDirection
    public var meaning: String
}

public enum SignalCatalog {
    public static let all: [SignalSpec] = [
        SignalSpec(name: "eoat.estop", direction: .input,
                   meaning: "e-stop chain healthy; wired active low, so a broken wire reads as e-stop"),
        SignalSpec(name: "eoat.item.in-jaw", direction: .input, meaning: "beam break between the jaws"),
        SignalSpec(name: "eoat.item.induct", direction: .input, meaning: "beam break at the induct: an item waits"),
        SignalSpec(name: "eoat.plank.home", direction: .input, meaning: "plank fully retracted switch"),
        SignalSpec(name: "eoat.plank.extended", direction: .input, meaning: "plank fully extended switch"),
        SignalSpec(name: "eoat.jaw.open", direction: .input, meaning: "jaw fully open limit switch"),
        SignalSpec(name: "eoat.band-separator.deployed", direction: .input,
                   meaning: "band separator position switch: hook is down and bands are held open"),
        SignalSpec(name: "arm.in-position", direction: .input, meaning: "arm controller: commanded pose reached"),
        SignalSpec(name: "eoat.band-separator.solenoid", direction: .output, meaning: "band separator solenoid"),
        SignalSpec(name: "eoat.drive-enable", direction: .output,
                   meaning: "drive enable to the STO inputs; dropping it removes motor torque"),
        SignalSpec(name: "eoat.tower-light.red", direction: .output, meaning: "tower light red: fault or e-stop"),
        SignalSpec(name: "eoat.tower-light.amber", direction: .output, meaning: "tower light amber: needs attention"),
        SignalSpec(name: "eoat.tower-light.green", direction: .output, meaning: "tower light green: running"),
        SignalSpec(name: "eoat.ready", direction: .output, meaning: "to the arm controller: EOAT ready for a move"),
        SignalSpec(name: "eoat.done", direction: .output, meaning: "to the arm controller: EOAT finished its step"),
    ]

    public static func spec(named name: String) -> SignalSpec? {
        all.first { $0.name == name }
    }

    public static func names(_ direction: SignalDirection) -> [String] {
        all.filter { $0.direction == direction }.map(\.name)
    }
}

/// The four drives of the EOAT.
public enum DriveRole: String, CaseIterable, Sendable {
    case jaw
    case leftBelt = "left-belt"
    case rightBelt = "right-belt"
    case plank
}
