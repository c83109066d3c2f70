import Config

/// One tick's reading of every EOAT input, by name. Logical values: true = asserted.
public struct EOATInputs: Equatable, Sendable {
    public var estop = false
    public var itemInJaw = false
    public var itemAtInduct = false
    public var plankHome = false
    public var plankExtended = false
    public var jawOpen = false
    public var bandSeparatorDeployed = false
    public var armInPosition = false

    public init() {}

    /// The e-stop input's signal name; asserted means the chain is open.
    public static let estopSignal = "eoat.estop"
    /// Signal names in field order; the control loop reads its input devices in this order.
    public static let signalNames = [
        "eoat.estop", "eoat.item.in-jaw", "eoat.item.induct", "eoat.plank.home", "eoat.plank.extended",
        "eoat.jaw.open", "eoat.band-separator.deployed", "arm.in-position",
    ]

    /// The input at `index` of `signalNames`.
    public subscript(index: Int) -> Bool {
        get {
            switch index {
            case 0: return estop
            case 1: return itemInJaw
            case 2: return itemAtInduct
            case 3: return plankHome
            case 4: return plankExtended
            case 5: return jawOpen
            case 6: return bandSeparatorDeployed
            default: return armInPosition
            }
        }
        set {
            switch index {
            case 0: estop = newValue
            case 1: itemInJaw = newValue
            case 2: itemAtInduct = newValue
            case 3: plankHome = newValue
            case 4: plankExtended = newValue
            case 5: jawOpen = newValue
            case 6: bandSeparatorDeployed = newValue
            default: armInPosition = newValue
            }
        }
    }
}
