import Config

/// The EOAT's input lines as the simulated world drives them (names as in config and logs).
public enum SimInputSignal: String, CaseIterable, Sendable {
    case estop = "eoat.estop"
    case itemInJaw = "eoat.item.in-jaw"
    case itemAtInduct = "eoat.item.induct"
    case plankHome = "eoat.plank.home"
    case plankExtended = "eoat.plank.extended"
    case jawOpen = "eoat.jaw.open"
    case bandSeparatorDeployed = "eoat.band-separator.deployed"
    case armInPosition = "arm.in-position"
}

/// The EOAT's output lines as the simulated world reacts to them.
public enum SimOutputSignal: String, CaseIterable, Sendable {
    case bandSeparatorSolenoid = "eoat.band-separator.solenoid"
    /// Safe torque off: false removes torque from every drive.
    case driveEnable = "eoat.drive-enable"
    case towerLightRed = "eoat.tower-light.red"
    case towerLightAmber = "eoat.tower-light.amber"
    case towerLightGreen = "eoat.tower-light.green"
    /// Arm interlock: the arm moves only while this is asserted.
    case ready = "eoat.ready"
    case done = "eoat.done"

    /// Where this output sits in `EOATOutputs` (Config), whose field order follows `signalNames`.
    var outputIndex: Int { EOATOutputs.signalNames.firstIndex(of: rawValue)! }
}
