/// Software debounce for a level read every control tick: a new level is believed once it has
/// held for `stableNanoseconds`, so a bouncing limit switch reads as one clean change.
///
/// One level may be declared fail-safe (`immediateLevel`): a change *to* it is believed at once.
/// The e-stop input uses this: a chain that opens must stop the EOAT in the same tick, while a
/// chain closing again (which releases nothing by itself, faults stay latched) may wait.
///
/// A pure value type, so the rule is specified without hardware.
public struct LevelDebouncer: Sendable {
    public let stableNanoseconds: UInt64
    public let immediateLevel: Bool?
    /// The level reported, nil before the first sample.
    public private(set) var level: Bool?
    /// When the raw level last became different from `level`; nil while they agree.
    private var differentSince: MonotonicInstant?

    public init(stableNanoseconds: UInt64, immediateLevel: Bool? = nil) {
        self.stableNanoseconds = stableNanoseconds
        self.immediateLevel = immediateLevel
    }

    /// Takes the raw level read at `now`; returns the debounced level. The first sample is
    /// believed as read.
    public mutating func update(raw: Bool, now: MonotonicInstant) -> Bool {
        guard let current = level, raw != current else {
            level = raw
            differentSince = nil
            return raw
        }
        if raw == immediateLevel {
            level = raw
            differentSince = nil
            return raw
        }
        let since = differentSince ?? now
        differentSince = since
        if since.nanoseconds(until: now) >= stableNanoseconds {
            level = raw
            differentSince = nil
            return raw
        }
        return current
    }
}

/// A `DigitalInput` read through a `LevelDebouncer`: what the control tick sees of a GPIO input
/// with `debounce_ms` in the config.
public final class DebouncedInput: DigitalInput {
    public let input: DigitalInput
    private let clock: MonotonicClock
    private var debouncer: LevelDebouncer

    public var name: String { input.name }

    public init(_ input: DigitalInput, debouncer: LevelDebouncer, clock: MonotonicClock) {
        self.input = input
        self.debouncer = debouncer
        self.clock = clock
    }

    /// Reads the line and returns the debounced level. Throws what the line throws.
    public func read() throws -> Bool {
        let raw = try input.read()
        return debouncer.update(raw: raw, now: clock.now())
    }
}
