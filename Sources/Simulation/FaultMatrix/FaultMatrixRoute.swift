import Control

/// How the fault matrix brings the stow cycle into an abort state it does not pass through on a
/// good stow: a steering fault injected on entering `from`, which the cycle answers by going to
/// the state; it is cleared the moment the state is entered, before the cell's own fault starts.
struct FaultMatrixRoute {
    var from: StowState
    var steer: String
    var steerKind: String { String(steer.prefix { $0 != " " }) }

    static func to(_ state: StowState) -> FaultMatrixRoute? {
        switch state {
        case .backOff:
            // The band separator never reports deployed: separate_bands times out, the cycle backs off.
            return FaultMatrixRoute(from: .separateBands, steer: "input-stuck eoat.band-separator.deployed false")
        case .sideline:
            // The same switch, left stuck: every bin's separate_bands times out, the cycle backs off
            // and tries the next, and after `max_bin_retries` it gives up and sidelines the item.
            return FaultMatrixRoute(from: .separateBands, steer: "input-stuck eoat.band-separator.deployed false")
        case .safeHold:
            // The beam break loses the item on the way to the bin: a dropped item holds the cycle.
            return FaultMatrixRoute(from: .approach, steer: "input-stuck eoat.item.in-jaw false")
        default:
            return nil
        }
    }
}
