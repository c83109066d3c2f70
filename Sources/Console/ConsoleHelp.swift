/// `help` and `help COMMAND`: one entry per command, usage and what it does.
public enum ConsoleHelp {
    public struct Entry: Sendable {
        public var name: String
        public var usage: String
        public var summary: String
    }

    public static let entries: [Entry] = [
        Entry(name: "help", usage: "help [COMMAND]", summary: "list commands, or explain one"),
        Entry(name: "status", usage: "status", summary: "stow state, faults, e-stop, maintenance, real-time report"),
        Entry(name: "show", usage: "show loops [reset] | pins | drives | bus | faults | config",
              summary: "loop lateness/execution (reset zeroes them), signal values, CiA 402 drives, bus cycle, latched faults, config"),
        Entry(name: "get", usage: "get SIGNAL", summary: "one signal's value (dotted name from config, e.g. eoat.plank.extended)"),
        Entry(name: "watch", usage: "watch SIGNAL|DRIVE", summary: "print a signal or drive every 200 ms until a key is pressed"),
        Entry(name: "log", usage: "log LEVEL", summary: "log level (trace debug info notice warning error critical); in the simulator, the console's own log"),
        Entry(name: "journal", usage: "journal last N", summary: "the last N stow attempts (in the simulator: this session's, from memory)"),
        Entry(name: "reset", usage: "reset faults", summary: "clear latched faults once their cause is dealt with (drives get a fault reset)"),
        Entry(name: "ack", usage: "ack",
              summary: "after a safe hold (an item fell or was damaged): say it was dealt with; the stow cycle resumes"),
        Entry(name: "estop", usage: "estop", summary: "operator stop: latch a fault, quick-stop the drives, drop drive enable"),
        Entry(name: "arm", usage: "arm maintenance",
              summary: "allow set/jog/enable/disable; needs no stow in progress, e-stop clear, no faults; disarms after the configured idle timeout"),
        Entry(name: "disarm", usage: "disarm", summary: "leave maintenance: drives disabled, the stow cycle resumes"),
        Entry(name: "set", usage: "set SIGNAL VALUE", summary: "(maintenance) hold an output true or false"),
        Entry(name: "jog", usage: "jog DRIVE VELOCITY_MM_S",
              summary: "(maintenance) run a drive in profile velocity; limited to console.jog_speed_share of its speed limit; 0 stops"),
        Entry(name: "home", usage: "home DRIVE", summary: "(maintenance) move a drive to its travel minimum at jog speed"),
        Entry(name: "enable", usage: "enable DRIVE", summary: "(maintenance) power a drive and hold its position"),
        Entry(name: "disable", usage: "disable DRIVE", summary: "(maintenance) power a drive off"),
        Entry(name: "sim", usage: "sim fault LINE | sim fault clear [KIND]",
              summary: "(simulator) inject a fault (grammar in firmware-config/README.md) or clear injected faults"),
        Entry(name: "mode", usage: "mode json|text", summary: "answer every command as one JSON line, or as text"),
        Entry(name: "quit", usage: "quit", summary: "end the session (stdin/stdout only; a serial port keeps serving)"),
    ]

    public static func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }
}
