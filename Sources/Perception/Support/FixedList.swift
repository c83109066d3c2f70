/// A list with a fixed capacity stored inline: copying one never touches the heap, so
/// observations can be built, published and read every frame without allocating.
///
/// Appending past the capacity drops the element and counts it in `droppedCount`, so a caller
/// can tell that a frame had more bands or gaps than an observation carries.
public struct FixedList<let capacity: Int, Element: Sendable>: Sendable, RandomAccessCollection {
    private var storage: InlineArray<capacity, Element>
    public private(set) var count = 0
    /// Elements `append` turned away because the list was full.
    public private(set) var droppedCount = 0

    /// An empty list; `filler` only initialises the unused storage and is never read back.
    public init(filler: Element) {
        storage = InlineArray(repeating: filler)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "FixedList index \(index) out of 0..<\(count)")
            return storage[index]
        }
        set {
            precondition(index >= 0 && index < count, "FixedList index \(index) out of 0..<\(count)")
            storage[index] = newValue
        }
    }

    public mutating func append(_ element: Element) {
        guard count < capacity else {
            droppedCount += 1
            return
        }
        storage[count] = element
        count += 1
    }

    public mutating func removeAll() {
        count = 0
        droppedCount = 0
    }
}
