/// How a stow attempt ended, in the paper's terms (arXiv 2505.04572).
public enum StowOutcome: String, Codable, Sendable, CaseIterable {
    /// The item is in the bin and nothing left it.
    case success
    /// The item was not stowed (no fit, jam, retries exhausted, sidelined) but nothing was lost.
    case unproductive
    /// An item fell out: the one being stowed or one already in the bin.
    case amnesty
    /// An item was damaged.
    case damage
}

/// The published figures the campaign table is printed beside.
public enum PaperReference {
    public static let attempts = 100_000
    public static let sharePercent: [StowOutcome: Double] = [.success: 85.9, .unproductive: 9.3, .amnesty: 3.7, .damage: 0.2]
    public static let unitsPerHour = 224.0
    public static let citation = "arXiv 2505.04572: 100,000 attempts"
}
