/// One tick's command for every EOAT output. Logical values: true = asserted.
public struct EOATOutputs: Equatable, Sendable {
    public var bandSeparatorSolenoid = false
    public var driveEnable = false
    public var towerLightRed = true
    public var towerLightAmber = false
    public var towerLightGreen = false
    public var ready = false
    public var done = false

    public init() {}

    /// Signal names in field order; the control loop writes its output devices in this order.
    public static let signalNames = [
        "eoat.band-separator.solenoid", "eoat.drive-enable", "eoat.tower-light.red", "eoat.tower-light.amber",
        "eoat.tower-light.green", "eoat.ready", "eoat.done",
    ]

    public static let count = 7

    /// The output at `index` of `signalNames`.
    public subscript(index: Int) -> Bool {
        get {
            switch index {
            case 0: return bandSeparatorSolenoid
            case 1: return driveEnable
            case 2: return towerLightRed
            case 3: return towerLightAmber
            case 4: return towerLightGreen
            case 5: return ready
            default: return done
            }
        }
        set {
            switch index {
            case 0: bandSeparatorSolenoid = newValue
            case 1: driveEnable = newValue
            case 2: towerLightRed = newValue
            case 3: towerLightAmber = newValue
            case 4: towerLightGreen = newValue
            case 5: ready = newValue
            default: done = newValue
            }
        }
    }
}
