import HAL
import Testing

/// The debounce the control tick sees on GPIO inputs with `debounce_ms`.
@Suite struct GPIOLevelDebouncerTests {
    /// Feeds `(raw, ms)` samples and returns what the debouncer reported for each.
    private func reported(_ debouncer: inout LevelDebouncer, _ samples: [(Bool, UInt64)]) -> [Bool] {
        samples.map { raw, milliseconds in
            debouncer.update(raw: raw, now: MonotonicInstant(nanoseconds: milliseconds * 1_000_000))
        }
    }

    @Test("the first sample is believed at once")
    func firstSample() {
        var debouncer = LevelDebouncer(stableNanoseconds: 2_000_000)
        #expect(reported(&debouncer, [(true, 0)]) == [true])
    }

    @Test("a change is believed once it has held for the stable time; bounces before that are ignored")
    func bouncingSwitch() {
        var debouncer = LevelDebouncer(stableNanoseconds: 2_000_000)
        // A plank-home switch closing with bounce at 10-11 ms, then held from 12 ms.
        let samples: [(Bool, UInt64)] = [(false, 9), (true, 10), (false, 11), (true, 12), (true, 13), (true, 14), (true, 15)]
        #expect(reported(&debouncer, samples) == [false, false, false, false, false, true, true])
    }

    @Test("a glitch shorter than the stable time never shows")
    func glitch() {
        var debouncer = LevelDebouncer(stableNanoseconds: 5_000_000)
        let samples: [(Bool, UInt64)] = [(false, 0), (true, 1), (true, 2), (false, 3), (false, 20)]
        #expect(reported(&debouncer, samples) == [false, false, false, false, false])
    }

    @Test("a change to the fail-safe level is believed in the same sample; the way back waits")
    func failSafeLevelPassesAtOnce() {
        var debouncer = LevelDebouncer(stableNanoseconds: 2_000_000, immediateLevel: true)
        // The e-stop chain opens at 5 ms (asserted), chatters, and closes for good from 8 ms.
        let samples: [(Bool, UInt64)] = [(false, 4), (true, 5), (false, 6), (true, 7), (false, 8), (false, 9), (false, 10)]
        #expect(reported(&debouncer, samples) == [false, true, true, true, true, true, false])
    }

    @Test("zero stable time is no debounce")
    func zeroIsTransparent() {
        var debouncer = LevelDebouncer(stableNanoseconds: 0)
        let samples: [(Bool, UInt64)] = [(false, 0), (true, 1), (false, 2)]
        #expect(reported(&debouncer, samples) == [false, true, false])
    }
}
