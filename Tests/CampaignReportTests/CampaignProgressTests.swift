import Control
import Testing

@testable import CampaignReport

/// Collects what the progress reporter writes, on a clock the test moves.
private final class FakeTerminal {
    var output = ""
    var nowSeconds = 0.0
}

@Suite struct CampaignProgressTests {
    @Test("not on a terminal: no carriage return, only a plain line at each 10 % and none at finish")
    func plainLinesWhenNotATerminal() {
        let sink = FakeTerminal()
        let progress = CampaignProgress(isTerminal: false, write: { sink.output += $0 }, nowSeconds: { sink.nowSeconds })
        // 100 attempts a wall second: at 100 done, 900 are left, 9 s.
        for done in 1...1_000 {
            sink.nowSeconds += 0.01
            progress.update(done: done, total: 1_000, result: .sample())
        }
        progress.finish()
        #expect(!sink.output.contains("\r"))
        #expect(!sink.output.contains("\u{1B}"))
        let lines = sink.output.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines.first == "campaign: 100/1,000 attempts (10 %), success 86.1 %, 38h53m20s simulated, ETA 9.0s")
        #expect(lines.last?.hasPrefix("campaign: 1,000/1,000 attempts (100 %)") == true)
    }

    @Test("not on a terminal, a campaign stopped early still says where it got to")
    func stoppedEarlyLine() {
        let sink = FakeTerminal()
        let progress = CampaignProgress(isTerminal: false, write: { sink.output += $0 }, nowSeconds: { sink.nowSeconds })
        progress.update(done: 5, total: 1_000, result: .sample())
        progress.finish()
        #expect(sink.output.hasPrefix("campaign: 5/1,000 attempts (0 %)"))
        #expect(sink.output.split(separator: "\n").count == 1)
    }

    @Test("on a terminal: one bar redrawn with \\r at most ten times a second, ended by finish")
    func barOnATerminal() {
        let sink = FakeTerminal()
        let progress = CampaignProgress(isTerminal: true, write: { sink.output += $0 }, nowSeconds: { sink.nowSeconds })
        // 1,000 attempts over 2 wall seconds: about 20 redraws, not 1,000.
        for done in 1...1_000 {
            sink.nowSeconds += 0.002
            progress.update(done: done, total: 1_000, result: .sample())
        }
        progress.finish()
        let redraws = sink.output.filter { $0 == "\r" }.count
        #expect(redraws >= 18 && redraws <= 23)
        #expect(sink.output.hasSuffix("\u{1B}[K\n"))
        #expect(sink.output.filter { $0 == "\n" }.count == 1)
        let lastBar = sink.output.split(separator: "\r").last ?? ""
        #expect(lastBar.hasPrefix("[####################] 1,000/1,000 100 %  success 86.1 %  sim 38h53m20s  ETA 0s\u{1B}[K"))
    }

    @Test("the bar line fits 80 columns and the ETA comes from this run's pace, not resumed attempts")
    func barLineWidthAndETA() {
        let sink = FakeTerminal()
        let progress = CampaignProgress(isTerminal: true, write: { sink.output += $0 }, nowSeconds: { sink.nowSeconds })
        // Resumed at 4,000 of 10,000; 1,000 more in 10 s leaves 5,000 at 100 per second: 50 s.
        progress.update(done: 4_000, total: 10_000, result: .sample())
        sink.nowSeconds = 10
        let line = progress.line(done: 5_000, total: 10_000, result: .sample(), now: 10)
        #expect(line == "[########---------] 5,000/10,000 50 %  success 86.1 %  sim 38h53m20s  ETA 50.0s")
        #expect(line.count == 79)
        // The widest figures leave no room for a bar; the line still fits.
        let widest = progress.line(done: 99_999, total: 100_000, result: .sample { $0.simulatedSeconds = 3_599_999 }, now: 1e6)
        #expect(widest.count <= 79)
    }

    @Test("updates after finish draw nothing")
    func finishIsFinal() {
        let sink = FakeTerminal()
        let progress = CampaignProgress(isTerminal: true, write: { sink.output += $0 }, nowSeconds: { sink.nowSeconds })
        progress.update(done: 1, total: 10, result: .sample())
        progress.finish()
        let written = sink.output
        sink.nowSeconds = 5
        progress.update(done: 2, total: 10, result: .sample())
        progress.finish()
        #expect(sink.output == written)
    }
}
