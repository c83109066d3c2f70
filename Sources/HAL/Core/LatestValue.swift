import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A cell holding the newest value one side publishes and other sides read, with no locks and
/// no waiting: the handoff between loops (bus feedback to the control tick, loop statistics to
/// the console).
///
/// Written by hand: the usual answers are a seqlock (only safe for bitwise-copyable values,
/// since a reader may copy a half-written one and throw it away) or a triple buffer (one reader
/// only). This is a small ring of slots with a reader count per slot, all packed into one atomic
/// word, so it is safe for any value type, strings and optionals included, and for any number of
/// readers:
///
/// - A reader pins the current slot by incrementing its count in the same compare-and-swap
///   that reads which slot is current, copies the value out, and unpins it. It retries only when
///   the word changed between its load and its swap (a publish or another reader's pin): it never
///   waits for a writer to finish.
/// - A writer claims a slot that is neither current nor pinned (marking it as being written),
///   writes the value into it, then makes it current in one swap. Readers never see a slot
///   being written, so no value is ever torn. Several writers are safe too (each claims its own
///   slot; the last to publish wins), though the intended use is one writer per cell.
///
/// With 8 slots a writer finds a free one unless all seven others are held by readers stalled
/// in the middle of copying an old value; only then does it yield the CPU and look again.
///
/// Neither side allocates: the slots are allocated once, at `init`. A publish releases the
/// value it overwrites, so a value that holds heap storage (a `String`) may free it then.
///
/// `read` and `publish` are inlinable so each client module gets them specialized for its value
/// type: unspecialized, every copy in and out went through the type's value witnesses, and the
/// control tick's four feedback reads and its snapshot publish were a tenth of a tick.
public final class LatestValue<Value>: @unchecked Sendable {
    @inlinable static var slotCount: Int { 8 }
    @inlinable static var indexBits: UInt64 { 4 }
    @inlinable static var countBits: UInt64 { 7 }
    @inlinable static var countMask: UInt64 { (1 << countBits) - 1 }
    /// A slot count of all ones marks a slot a writer has claimed.
    @inlinable static var writerMark: UInt64 { countMask }
    /// Readers one slot can hold at once (one below the writer mark).
    @inlinable static var maxReadersPerSlot: UInt64 { countMask - 1 }

    /// Bits 0-3: the current slot. Then 7 bits per slot: how many readers hold it (or the
    /// writer mark).
    @usableFromInline let state: Atomic<UInt64>
    @usableFromInline let publishes: Atomic<UInt64>
    @usableFromInline let slots: UnsafeMutablePointer<Value>

    /// A cell whose value is `initial` until the first `publish`.
    public init(_ initial: Value) {
        slots = UnsafeMutablePointer<Value>.allocate(capacity: Self.slotCount)
        slots.initialize(repeating: initial, count: Self.slotCount)
        state = Atomic(0)
        publishes = Atomic(0)
    }

    deinit {
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
    }

    /// The newest complete value. Never blocks.
    @inlinable
    public func read() -> Value {
        Self.read(state: state, slots: slots)
    }

    /// Makes `value` the one readers get from now on.
    @inlinable
    public func publish(_ value: Value) {
        Self.publish(value, state: state, slots: slots)
        publishes.add(1, ordering: .releasing)
    }

    /// How many times `publish` has completed: lets a reader tell whether anything new arrived
    /// since it last looked.
    public var publishCount: UInt64 {
        publishes.load(ordering: .acquiring)
    }

    // MARK: - The slot protocol (internal; inlinable for the specialization above; shared with
    // LatestValueRow)

    /// The newest complete value of the cell whose state word is `state` and whose slots start
    /// at `slots`.
    @inlinable
    static func read(state: borrowing Atomic<UInt64>, slots: UnsafeMutablePointer<Value>) -> Value {
        let slot = pinCurrentSlot(state)
        let value = slots[slot]
        unpin(slot, state)
        return value
    }

    /// Publishes `value` to the cell whose state word is `state` and whose slots start at `slots`.
    @inlinable
    static func publish(_ value: Value, state: borrowing Atomic<UInt64>, slots: UnsafeMutablePointer<Value>) {
        let slot = claimFreeSlot(state)
        slots[slot] = value
        makeCurrent(slot, state)
    }

    @inlinable
    static func currentSlot(_ word: UInt64) -> Int {
        Int(word & ((1 << indexBits) - 1))
    }

    @inlinable
    static func shift(_ slot: Int) -> UInt64 {
        indexBits + countBits * UInt64(slot)
    }

    @inlinable
    static func count(_ word: UInt64, slot: Int) -> UInt64 {
        (word >> shift(slot)) & countMask
    }

    @inlinable
    static func pinCurrentSlot(_ state: borrowing Atomic<UInt64>) -> Int {
        var word = state.load(ordering: .relaxed)
        while true {
            let slot = currentSlot(word)
            // More readers than a slot can count at once is a programming error, not a load.
            precondition(count(word, slot: slot) < maxReadersPerSlot, "LatestValue: too many simultaneous readers")
            let pinned = word + (1 << shift(slot))
            let (exchanged, original) = state.compareExchange(
                expected: word, desired: pinned, successOrdering: .acquiring, failureOrdering: .relaxed)
            if exchanged { return slot }
            word = original
        }
    }

    @inlinable
    static func unpin(_ slot: Int, _ state: borrowing Atomic<UInt64>) {
        // Releasing: our copy of the value is finished before a writer may reuse the slot.
        state.subtract(1 << shift(slot), ordering: .releasing)
    }

    @inlinable
    static func claimFreeSlot(_ state: borrowing Atomic<UInt64>) -> Int {
        var word = state.load(ordering: .acquiring)
        while true {
            let current = currentSlot(word)
            var free: Int? = nil
            for slot in 0..<slotCount where slot != current && count(word, slot: slot) == 0 {
                free = slot
                break
            }
            guard let slot = free else {
                // Every other slot is held by a stalled reader: let them run, then look again.
                sched_yield()
                word = state.load(ordering: .acquiring)
                continue
            }
            let marked = word | (writerMark << shift(slot))
            // Acquiring: the last reader's copy out of this slot happens before our write into it.
            let (exchanged, original) = state.compareExchange(
                expected: word, desired: marked, successOrdering: .acquiringAndReleasing, failureOrdering: .acquiring)
            if exchanged { return slot }
            word = original
        }
    }

    @inlinable
    static func makeCurrent(_ slot: Int, _ state: borrowing Atomic<UInt64>) {
        var word = state.load(ordering: .relaxed)
        while true {
            let cleared = word & ~(countMask << shift(slot))
            let published = (cleared & ~((1 << indexBits) - 1)) | UInt64(slot)
            // Releasing: the value written into the slot is visible to whoever pins it next.
            let (exchanged, original) = state.compareExchange(
                expected: word, desired: published, successOrdering: .releasing, failureOrdering: .relaxed)
            if exchanged { break }
            word = original
        }
    }
}

/// A fixed number of `LatestValue` cells in one object, addressed by index: the same slot
/// protocol and guarantees (no locks, no waiting, any number of readers, no torn values, no
/// allocation after `init`), without a cell object per index. A caller holding the row reads
/// and publishes without retaining anything, which a cell fetched out of an array costs.
/// Keeps no publish count.
public final class LatestValueRow<Value>: @unchecked Sendable {
    /// How many cells.
    public let count: Int
    @usableFromInline let states: UnsafeMutablePointer<Atomic<UInt64>>
    @usableFromInline let slots: UnsafeMutablePointer<Value>

    /// One cell per element of `initial`, holding it until its first `publish`.
    public init(_ initial: [Value]) {
        count = initial.count
        states = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: max(1, count))
        slots = UnsafeMutablePointer<Value>.allocate(capacity: max(1, count) * LatestValue<Value>.slotCount)
        for index in 0..<count {
            (states + index).initialize(to: Atomic(0))
            (slots + index * LatestValue<Value>.slotCount).initialize(repeating: initial[index], count: LatestValue<Value>.slotCount)
        }
    }

    deinit {
        for index in 0..<count {
            _ = (states + index).move()
        }
        slots.deinitialize(count: count * LatestValue<Value>.slotCount)
        states.deallocate()
        slots.deallocate()
    }

    /// The newest complete value of cell `index`. Never blocks.
    @inlinable
    public func read(_ index: Int) -> Value {
        precondition(index >= 0 && index < count, "LatestValueRow: cell \(index) of \(count)")
        return LatestValue<Value>.read(state: states[index], slots: slots + index * LatestValue<Value>.slotCount)
    }

    /// Makes `value` the one readers of cell `index` get from now on.
    @inlinable
    public func publish(_ value: Value, at index: Int) {
        precondition(index >= 0 && index < count, "LatestValueRow: cell \(index) of \(count)")
        LatestValue<Value>.publish(value, state: states[index], slots: slots + index * LatestValue<Value>.slotCount)
    }
}
