import Config

/// What a world profile changes in the simulated cell. Every figure is physical (a time, a
/// count of stows, an item mix) and each is explained in docs/simulator.md ("World profiles")
/// and measured in docs/campaigns.md ("Calibration").
extension SimWorldProfile {
    /// Stows into one pod before the station sends it away and brings the next (fresh contents).
    /// A pod face of 16 bins starting 40 % full takes about 20 typical items before most bins
    /// are too full for the next one; `paper-2025` keeps it for one more, with its larger items
    /// (measured: unproductive 9.5 % in docs/campaigns.md).
    public var stowsPerPod: Int {
        switch self {
        case .default: return 20
        case .paper2025: return 21
        }
    }

    /// Share of a pod's initial contents resting at the bin front, sticking out between the bands
    /// by more than half their depth (left there by earlier stows or by people restowing).
    /// They stay while the bands hold them and fall when the tool opens the bands or the plank
    /// shoves them.
    public var looseFrontShare: Double {
        switch self {
        case .default: return 0
        case .paper2025: return 0.09
        }
    }

    /// Time of one arm move between stations (induct, sideline, a bin): the config's
    /// `sim.arm_move_ms` for the default world; for `paper-2025` the published cell's arm, which
    /// travels further at collaborative speeds: 5 s, fitted to its 224 units/hour (the one figure
    /// fitted to a published result; it changes timing only, no outcome).
    public func armMoveMS(configuredMS: Double) -> Double {
        switch self {
        case .default: return configuredMS
        case .paper2025: return 5000
        }
    }
}
