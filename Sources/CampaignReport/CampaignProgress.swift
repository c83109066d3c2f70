import Control
import Foundation

/// Campaign progress on stderr. On a terminal: one bar redrawn in place with `\r`, at most about
/// ten times a second. Elsewhere (a log file, CI, journald): no bar and no `\r`, only a plain line
/// each time another 10 % of the attempts is done, and one at the end.
///
///     let progress = CampaignProgress()
///     for ... { progress.update(done: done, total: total, result: resultSoFar) }
///     progress.finish()
///
/// Use from one thread (the campaign runner's); it keeps no lock.
public final class CampaignProgress {
    /// Whether the output is a terminal (bar) or not (occasional plain lines).
    public let isTerminal: Bool
    private let write: (String) -> Void
    private let nowSeconds: () -> Double
    private let minimumRedrawIntervalSeconds = 0.1
    /// Widest the bar gets, in characters; it shrinks (down to nothing) to keep the line
    /// within `maximumLineWidth`.
    private let maximumBarWidth = 20
    private let maximumLineWidth = 79

    private var startSeconds: Double?
    private var doneAtStart = 0
    private var lastDrawSeconds: Double?
    private var lastTenthReported = 0
    private var last: (done: Int, total: Int, result: CampaignResult)?
    private var drewBar = false
    private var finished = false

    /// Progress on the process's stderr; a bar only when stderr is a terminal.
    public convenience init() {
        self.init(
            isTerminal: isatty(STDERR_FILENO) == 1,
            write: { FileHandle.standardError.write(Data($0.utf8)) },
            nowSeconds: { ProcessInfo.processInfo.systemUptime }
        )
    }

    /// Progress written through `write`; `nowSeconds` is a monotonic wall clock in seconds.
    public init(isTerminal: Bool, write: @escaping (String) -> Void, nowSeconds: @escaping () -> Double) {
        self.isTerminal = isTerminal
        self.write = write
        self.nowSeconds = nowSeconds
    }

    /// Reports that `done` of `total` attempts are finished; `result` holds the figures so far.
    /// Cheap to call after every attempt: it draws only when due.
    public func update(done: Int, total: Int, result: CampaignResult) {
        guard !finished else { return }
        let now = nowSeconds()
        if startSeconds == nil {
            startSeconds = now
            doneAtStart = done
            lastTenthReported = total > 0 ? done * 10 / total : 0
        }
        last = (done, total, result)
        if isTerminal {
            let due = lastDrawSeconds.map { now - $0 >= minimumRedrawIntervalSeconds } ?? true
            guard due || done >= total else { return }
            lastDrawSeconds = now
            write("\r" + line(done: done, total: total, result: result, now: now) + "\u{1B}[K")
            drewBar = true
        } else {
            let tenth = total > 0 ? min(done, total) * 10 / total : 0
            guard tenth > lastTenthReported else { return }
            lastTenthReported = tenth
            write(line(done: done, total: total, result: result, now: now) + "\n")
        }
    }

    /// Draws the final state and ends the line. Call once when the campaign stops, however it
    /// stops; later calls and updates do nothing.
    public func finish() {
        guard !finished else { return }
        finished = true
        guard let last else { return }
        let now = nowSeconds()
        if isTerminal {
            write("\r" + line(done: last.done, total: last.total, result: last.result, now: now) + "\u{1B}[K\n")
        } else if !(last.total > 0 && last.done >= last.total && lastTenthReported >= 10) {
            // The run stopped early (or never crossed a 10 % step): say where it got to.
            write(line(done: last.done, total: last.total, result: last.result, now: now) + "\n")
        }
    }

    /// `[########--------] 5,000/10,000 50 %  success 86.1 %  sim 38h53m20s  ETA 50.0s`
    func line(done: Int, total: Int, result: CampaignResult, now: Double) -> String {
        let fraction = total > 0 ? min(1, max(0, Double(done) / Double(total))) : 0
        let percentDone = Int((fraction * 100).rounded(.down))
        let success = ReportNumberFormat.percent(result.percent(.success), decimals: 1)
        let simulated = ReportNumberFormat.duration(seconds: result.simulatedSeconds)
        let counts = "\(ReportNumberFormat.grouped(done))/\(ReportNumberFormat.grouped(total))"
        let eta = etaText(done: done, total: total, now: now)
        if isTerminal {
            let figures = "\(counts) \(percentDone) %  success \(success)  sim \(simulated)  ETA \(eta)"
            // "[" + bar + "] " around the bar.
            let barWidth = min(maximumBarWidth, maximumLineWidth - figures.count - 3)
            guard barWidth >= 4 else { return figures }
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]"
            return bar + " " + figures
        }
        return "campaign: \(counts) attempts (\(percentDone) %), success \(success), \(simulated) simulated, ETA \(eta)"
    }

    /// Remaining wall time from the pace of this run (attempts resumed from the journal do not
    /// count towards the pace).
    private func etaText(done: Int, total: Int, now: Double) -> String {
        guard let startSeconds else { return "--" }
        if done >= total { return "0s" }
        let doneThisRun = done - doneAtStart
        let elapsed = now - startSeconds
        guard doneThisRun > 0, elapsed > 0 else { return "--" }
        let remaining = elapsed / Double(doneThisRun) * Double(total - done)
        return ReportNumberFormat.duration(seconds: remaining)
    }
}
