import HAL

/// The item between the jaws, from the moment the induct hands it over until it leaves them.
public struct HeldItem: Equatable, Sendable {
    public enum Stage: Equatable, Sendable {
        /// The induct conveyor is pushing it between the open jaws.
        case transferring(until: UInt64)
        /// Between the jaws; `travelMM` is how far the belts have moved it out past the tool tip.
        case betweenJaws
    }

    /// The item and what the warehouse system said about it at the induct. Fixed while it is
    /// held, so they live in one shared box: the world reads its held item every step, and a copy
    /// of the item and its catalog entry (three strings, 200 bytes) was 4 % of a campaign's
    /// instructions, and more of its time.
    private final class Identity: Equatable, Sendable {
        let item: SimItem
        let catalog: ItemCatalogEntry

        init(item: SimItem, catalog: ItemCatalogEntry) {
            self.item = item
            self.catalog = catalog
        }

        static func == (lhs: Identity, rhs: Identity) -> Bool {
            lhs.item == rhs.item && lhs.catalog == rhs.catalog
        }
    }

    private let identity: Identity
    public var item: SimItem { identity.item }
    /// What the warehouse system said about it at the induct.
    public var catalog: ItemCatalogEntry { identity.catalog }
    public var stage: Stage
    /// How far the item's front has moved past the tool tip (belt travel while gripped).
    public var travelMM = 0.0
    /// Squeeze force of the jaws on the item, from the item's stiffness and the jaw opening.
    public var gripForceN = 0.0
    /// Set once damage was recorded, so it is recorded once.
    public var damaged = false
    /// Set once a jam was recorded for the current blockage.
    public var jammed = false

    public init(item: SimItem, catalog: ItemCatalogEntry, stage: Stage) {
        identity = Identity(item: item, catalog: catalog)
        self.stage = stage
    }

    public var isBetweenJaws: Bool { stage == .betweenJaws }

    /// Force the jaws must exert to hold the paddles at `jawOpeningMM` against this item.
    func squeezeForceN(jawOpeningMM: Double) -> Double {
        let compressionMM = item.widthMM - jawOpeningMM
        guard compressionMM > 0 else { return 0 }
        let softMM = min(compressionMM, item.maxCompressionMM)
        // Past its give, the item is as hard as a rigid box.
        let hardMM = compressionMM - softMM
        return softMM * item.stiffnessNPerMM + hardMM * Self.rigidStiffnessNPerMM
    }

    /// The jaw opening at which the squeeze is `forceN` (the inverse of `squeezeForceN`).
    func jawOpeningMM(squeezeForceN forceN: Double) -> Double {
        let softCapacityN = item.maxCompressionMM * item.stiffnessNPerMM
        let compressionMM = forceN <= softCapacityN
            ? forceN / item.stiffnessNPerMM
            : item.maxCompressionMM + (forceN - softCapacityN) / Self.rigidStiffnessNPerMM
        return item.widthMM - compressionMM
    }

    /// Past its give an item is as hard as a rigid box: N per mm.
    static let rigidStiffnessNPerMM = 80.0

    /// Most push force the two belts can transmit to the item before they slip.
    var beltGripCapacityN: Double { 2 * SimPhysics.beltFriction * gripForceN }
}
