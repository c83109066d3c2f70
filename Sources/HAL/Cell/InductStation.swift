/// The induct station: where the warehouse system hands the next item to the EOAT, with its
/// catalog entry (scanned id, nominal size and mass). The `eoat.item.induct` beam break says an
/// item is there; this says which.
public protocol InductStation: AnyObject {
    var name: String { get }
    /// The item at the induct or between the jaws, or nil when there is none. Throws `HALError`.
    func currentItem() throws -> ItemCatalogEntry?
}

/// What the warehouse system knows about an item: nominal sizes, which differ from the real item
/// by a few mm.
public struct ItemCatalogEntry: Equatable, Sendable {
    public var id: String
    /// `rigid-box`, `soft-bag`, `book`, `round`.
    public var kind: String
    public var widthMM: Double
    public var heightMM: Double
    public var depthMM: Double
    public var massKG: Double

    public init(id: String, kind: String, widthMM: Double, heightMM: Double, depthMM: Double, massKG: Double) {
        self.id = id
        self.kind = kind
        self.widthMM = widthMM
        self.heightMM = heightMM
        self.depthMM = depthMM
        self.massKG = massKG
    }
}
