/// How `stowctl run` comes up: held. Before the first control tick it latches an operator stop,
/// so the drives stay disabled (CiA 402 quick stop from switch-on-disabled changes nothing), STO
/// stays off and the red light is on, until a person checks the cell and types `reset faults`
/// at the console. A service that systemd restarts after a crash therefore never restarts into
/// motion (docs/deploy.md, "Restart policy").
enum StartupHold {
    static let subject = "startup"
    static let message = "controller started: drives stay disabled until an operator resets faults"
    static let hint = "check the cell is clear, then `reset faults` on the console"
}
