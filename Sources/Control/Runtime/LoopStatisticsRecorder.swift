import Histogram

/// The always-on statistics of one loop, written only by the thread running the loop.
///
/// Fixed memory: two HdrHistograms allocated at init, then only updated in place, so recording
/// a tick never allocates. Readers never touch this; they get `snapshot` through a `LatestValue`.
struct LoopStatisticsRecorder {
    /// Durations above this are recorded as this (a loop stalled for a minute is stalled).
    static let highestTrackableNanoseconds: UInt64 = 60_000_000_000

    private(set) var snapshot: LoopStatisticsSnapshot
    private var latenessHistogram: Histogram<UInt64>
    private var executionHistogram: Histogram<UInt64>
    private var latenessSumNanoseconds: Double = 0
    private var executionSumNanoseconds: Double = 0
    private var latenessMinNanoseconds: UInt64 = .max
    private var executionMinNanoseconds: UInt64 = .max
    private var latenessMaxNanoseconds: UInt64 = 0

    init(loopName: String, periodNanoseconds: UInt64, measuresExecution: Bool) {
        snapshot = LoopStatisticsSnapshot(loopName: loopName, periodNanoseconds: periodNanoseconds, measuresExecution: measuresExecution)
        latenessHistogram = Self.makeHistogram()
        executionHistogram = Self.makeHistogram()
    }

    /// Records one finished tick. `overran`: it ended after the next tick was due.
    /// `executionNanoseconds` is ignored for a loop that does not measure it.
    mutating func recordTick(latenessNanoseconds: UInt64, executionNanoseconds: UInt64, overran: Bool) {
        snapshot.ticks += 1
        snapshot.lastLatenessNanoseconds = latenessNanoseconds
        if snapshot.measuresExecution {
            snapshot.lastExecutionNanoseconds = executionNanoseconds
            snapshot.worstExecutionIncreased = executionNanoseconds > snapshot.worstExecutionNanoseconds
            if snapshot.worstExecutionIncreased {
                snapshot.worstExecutionNanoseconds = executionNanoseconds
                snapshot.worstExecutionIncreases += 1
            }
            executionHistogram.record(min(executionNanoseconds, Self.highestTrackableNanoseconds))
            executionSumNanoseconds += Double(executionNanoseconds)
            executionMinNanoseconds = min(executionMinNanoseconds, executionNanoseconds)
        }
        if overran {
            snapshot.overruns += 1
            snapshot.consecutiveOverruns += 1
        } else {
            snapshot.consecutiveOverruns = 0
        }

        latenessHistogram.record(min(latenessNanoseconds, Self.highestTrackableNanoseconds))
        latenessSumNanoseconds += Double(latenessNanoseconds)
        latenessMinNanoseconds = min(latenessMinNanoseconds, latenessNanoseconds)
        latenessMaxNanoseconds = max(latenessMaxNanoseconds, latenessNanoseconds)
    }

    mutating func recordMissedCycles(_ count: UInt64) {
        snapshot.missedCycles += count
    }

    /// Walks the histograms (a few thousand buckets each) to refresh the percentiles.
    mutating func refreshSummaries() {
        snapshot.lateness = summary(
            of: latenessHistogram, sum: latenessSumNanoseconds, min: latenessMinNanoseconds, max: latenessMaxNanoseconds)
        snapshot.execution = summary(
            of: executionHistogram, sum: executionSumNanoseconds, min: executionMinNanoseconds,
            max: snapshot.worstExecutionNanoseconds)
        snapshot.summariesAsOfTick = snapshot.ticks
    }

    /// Back to zero, keeping the loop's name and period; the histograms are cleared in place.
    mutating func reset() {
        snapshot = LoopStatisticsSnapshot(loopName: snapshot.loopName, periodNanoseconds: snapshot.periodNanoseconds,
                                          measuresExecution: snapshot.measuresExecution)
        latenessHistogram.reset()
        executionHistogram.reset()
        latenessSumNanoseconds = 0
        executionSumNanoseconds = 0
        latenessMinNanoseconds = .max
        executionMinNanoseconds = .max
        latenessMaxNanoseconds = 0
    }

    // MARK: - Private helpers

    /// 1 ns to a minute at two significant digits: about 4,000 buckets, 32 KB.
    private static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: highestTrackableNanoseconds,
            numberOfSignificantValueDigits: .two)
    }

    private func summary(of histogram: Histogram<UInt64>, sum: Double, min: UInt64, max: UInt64) -> DurationSummary {
        var summary = DurationSummary()
        summary.samples = histogram.totalCount
        guard summary.samples > 0 else { return summary }
        summary.minNanoseconds = min
        summary.maxNanoseconds = max
        summary.meanNanoseconds = sum / Double(summary.samples)
        // Percentiles are bucket-rounded; keep them inside the exact range.
        summary.p50Nanoseconds = Swift.min(histogram.valueAtPercentile(50), max)
        summary.p99Nanoseconds = Swift.min(histogram.valueAtPercentile(99), max)
        summary.p999Nanoseconds = Swift.min(histogram.valueAtPercentile(99.9), max)
        return summary
    }
}
