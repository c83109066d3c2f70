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
        let slot = pinCurrentSlot()
        let value = slots[slot]
        unpin(slot)
        return value
    }

    /// Makes `value` the one readers get from now on.
    @inlinable
    public func publish(_ value: Value) {
        let slot = claimFreeSlot()
        slots[slot] = value
        makeCurrent(slot)
    }

    /// How many times `publish` has completed: lets a reader tell whether anything new arrived
    /// since it last looked.
    public var publishCount: UInt64 {
        publishes.load(ordering: .acquiring)
    }

    // MARK: - Helpers (internal; inlinable for the specialization above)

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
    func pinCurrentSlot() -> Int {
        var word = state.load(ordering: .relaxed)
        while true {
            let slot = Self.currentSlot(word)
            // More readers than a slot can count at once is a programming error, not a load.
            precondition(Self.count(word, slot: slot) < Self.maxReadersPerSlot, "LatestValue: too many simultaneous readers")
            let pinned = word + (1 << Self.shift(slot))
            let (exchanged, original) = state.compareExchange(
                expected: word, desired: pinned, successOrdering: .acquiring, failureOrdering: .relaxed)
            if exchanged { return slot }
            word = original
        }
    }

    @inlinable
    func unpin(_ slot: Int) {
        // Releasing: our copy of the value is finished before a writer may reuse the slot.
        state.subtract(1 << Self.shift(slot), ordering: .releasing)
    }

    @inlinable
    func claimFreeSlot() -> Int {
        var word = state.load(ordering: .acquiring)
        while true {
            let current = Self.currentSlot(word)
            var free: Int? = nil
            for slot in 0..<Self.slotCount where slot != current && Self.count(word, slot: slot) == 0 {
                free = slot
                break
            }
            guard let slot = free else {
                // Every other slot is held by a stalled reader: let them run, then look again.
                sched_yield()
                word = state.load(ordering: .acquiring)
                continue
            }
            let marked = word | (Self.writerMark << Self.shift(slot))
            // Acquiring: the last reader's copy out of this slot happens before our write into it.
            let (exchanged, original) = state.compareExchange(
                expected: word, desired: marked, successOrdering: .acquiringAndReleasing, failureOrdering: .acquiring)
            if exchanged { return slot }
            word = original
        }
    }

    @inlinable
    func makeCurrent(_ slot: Int) {
        var word = state.load(ordering: .relaxed)
        while true {
            let cleared = word & ~(Self.countMask << Self.shift(slot))
            let published = (cleared & ~((1 << Self.indexBits) - 1)) | UInt64(slot)
            // Releasing: the value written into the slot is visible to whoever pins it next.
            let (exchanged, original) = state.compareExchange(
                expected: word, desired: published, successOrdering: .releasing, failureOrdering: .relaxed)
            if exchanged { break }
            word = original
        }
        publishes.add(1, ordering: .releasing)
    }
}
