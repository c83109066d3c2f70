import Config

/// Where the stow cycle is. The normal path runs top to bottom; the last four are abort paths.
public enum StowState: String, CaseIterable, Sendable {
    case idle
    case awaitItem = "await_item"
    case selectBin = "select_bin"
    case grasp
    case approach
    case separateBands = "separate_bands"
    case makeSpace = "make_space"
    case insert
    case retract
    case verify
    case record
    /// Pull the item back out, withdraw, and try another bin.
    case backOff = "back_off"
    /// Put the item down at the sideline for a person: unproductive.
    case sideline
    /// Something fell or broke: hold still until a person acknowledges.
    case safeHold = "safe_hold"
    /// A safety fault or e-stop: everything stopped until faults are reset.
    case safeStop = "safe_stop"

    /// The config phase whose timeout applies, if any. A switch, not a lookup by name: the
    /// control tick asks every millisecond.
    public var phase: StowPhase? {
        switch self {
        case .awaitItem: return .awaitItem
        case .selectBin: return .selectBin
        case .grasp: return .grasp
        case .approach: return .approach
        case .separateBands: return .separateBands
        case .makeSpace: return .makeSpace
        case .insert: return .insert
        case .retract: return .retract
        case .verify: return .verify
        case .idle, .record, .backOff, .sideline, .safeHold, .safeStop: return nil
        }
    }
}

/// What can happen to the stow cycle in one tick.
public enum StowEvent: String, CaseIterable, Sendable {
    case start
    case itemReady = "item-ready"
    case binChosen = "bin-chosen"
    case noBinFits = "no-bin-fits"
    case gripped
    case itemLost = "item-lost"
    case armArrived = "arm-arrived"
    case bandsOpen = "bands-open"
    case spaceMade = "space-made"
    case forceLimit = "force-limit"
    case itemInserted = "item-inserted"
    case jam
    case retracted
    case verifiedPlaced = "verified-placed"
    case verifiedLost = "verified-lost"
    case recorded
    case backedOff = "backed-off"
    case sidelined
    case timeout
    case fault
    case acknowledged
    case reset
}
