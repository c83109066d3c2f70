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
}

/// The values the controller last wrote to each output (logical, true = asserted).
public struct SimOutputValues: Equatable, Sendable {
    public var bandSeparatorSolenoid = false
    public var driveEnable = false
    public var towerLightRed = true
    public var towerLightAmber = false
    public var towerLightGreen = false
    public var ready = false
    public var done = false

    public subscript(signal: SimOutputSignal) -> Bool {
        get {
            switch signal {
            case .bandSeparatorSolenoid: return bandSeparatorSolenoid
            case .driveEnable: return driveEnable
            case .towerLightRed: return towerLightRed
            case .towerLightAmber: return towerLightAmber
            case .towerLightGreen: return towerLightGreen
            case .ready: return ready
            case .done: return done
            }
        }
        set {
            switch signal {
            case .bandSeparatorSolenoid: bandSeparatorSolenoid = newValue
            case .driveEnable: driveEnable = newValue
            case .towerLightRed: towerLightRed = newValue
            case .towerLightAmber: towerLightAmber = newValue
            case .towerLightGreen: towerLightGreen = newValue
            case .ready: ready = newValue
            case .done: done = newValue
            }
        }
    }
}
