import Glibc

/// The simulator's random numbers: SplitMix64, so a seed gives the same sequence on every machine
/// and Swift version (the standard library's generator makes no such promise).
///
/// Each consumer (item stream, camera noise, a serial link's faults) owns its own generator,
/// derived from the campaign seed and a fixed stream number, so adding draws in one place never
/// shifts the numbers another place sees.
public struct SimRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one consumer: `stream` is a constant per consumer (see `SimRandomStream`).
    public init(seed: UInt64, stream: SimRandomStream) {
        var mixer = SimRandom(seed: seed ^ (stream.rawValue &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Moves on as if `count` draws of `next()` had been taken, at the cost of one: SplitMix64's
    /// state advances by the same constant each draw.
    public mutating func skip(_ count: Int) {
        state &+= UInt64(count) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// True with probability `share` (0...1).
    public mutating func chance(_ share: Double) -> Bool {
        unit() < share
    }

    /// Normal with the given mean and standard deviation (Box-Muller, one value per call).
    public mutating func normal(mean: Double = 0, standardDeviation: Double) -> Double {
        let u1 = max(unit(), 1e-300)
        let u2 = unit()
        return mean + standardDeviation * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// One constant per consumer of random numbers, so streams stay independent.
public enum SimRandomStream: UInt64, Sendable {
    case podContents = 1
    case itemStream = 2
    case cameraNoise = 3
    case serialLink = 4
    case inputBounce = 5
}
