import Control
import Foundation
import Testing

@testable import CampaignReport

@Suite struct CampaignHTMLReportTests {
    let html = CampaignHTMLReport.render(.sample())

    @Test("is one document whose tags are balanced")
    func balancedTags() throws {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</body>\n</html>\n"))
        try expectBalancedTags(html)
    }

    @Test("opens with no network: no URL, no script, no external style sheet or font")
    func selfContained() {
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("src="))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
    }

    @Test("escapes every text from the run, a <script> in a cause included")
    func escapesCauses() {
        #expect(html.contains("item fell out: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        let hostileID = CampaignHTMLReport.render(.sample { $0.campaignID = "\"><img onerror=x>"; $0.world = "<b>" })
        #expect(!hostileID.contains("<img"))
        #expect(hostileID.contains("world <b>&lt;b&gt;</b>"))
        #expect(hostileID.contains("&quot;&gt;&lt;img onerror=x&gt;"))
    }

    @Test("draws three charts: outcome shares beside the paper, phase times, lateness histogram")
    func charts() {
        #expect(html.components(separatedBy: "<svg ").count - 1 == 3)
        #expect(html.contains("Outcome shares, this campaign beside the paper"))
        #expect(html.contains("<title>success, paper: 85.9 %</title>"))
        #expect(html.contains("<title>success, this campaign: 86.12 %</title>"))
        #expect(html.contains("Mean simulated seconds per attempt, by phase"))
        #expect(html.contains("Control-loop wake-up lateness"))
        // 9,000,000 against 3 in the tail: heights are log-scaled, and the page says so.
        #expect(html.contains("log-scaled"))
    }

    @Test("holds the tables: outcomes with the paper's column, phases, faults, causes")
    func tables() {
        #expect(html.contains("<td>success</td><td>8,612</td><td>86.12 %</td><td>85.9 %</td><td class=\"better\">+0.22 pp</td>"))
        #expect(html.contains("<td>units/hour (simulated)</td><td></td><td>221.5</td><td>224.0</td><td class=\"worse\">-2.55 u/h</td>"))
        #expect(html.contains("<td>insert</td><td>30,000.0</td><td>3.000</td><td>21.4 %</td>"))
        #expect(html.contains("<td>drive-comm</td><td>7</td>"))
        #expect(html.contains("<td class=\"text\">no bin fits 180 mm</td><td>500</td>"))
        #expect(html.contains("Resumed: 4,000 attempts"))
        #expect(html.contains("3,500.0× real time"))
    }

    @Test("is written atomically: the file appears whole and no temporary file is left")
    func writesAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("campaign-report-\(getpid())-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("report.html").path
        try CampaignHTMLReport.write(.sample(), to: path)
        try CampaignHTMLReport.write(.sample { $0.campaignID = "second" }, to: path)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == CampaignHTMLReport.render(.sample { $0.campaignID = "second" }))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report.html"])
    }

    @Test("a failed write names the path and says what to check")
    func writeErrorNamesPath() {
        let path = "/nonexistent-dir-for-campaign-test/report.html"
        do {
            try CampaignHTMLReport.write(.sample(), to: path)
            Issue.record("writing into a missing directory succeeded")
        } catch {
            #expect(error.path == path)
            #expect(error.description.hasPrefix("cannot write \(path): open(2)"))
            #expect(error.description.contains("No such file or directory"))
            #expect(error.description.contains("check that the directory exists"))
        }
    }

    /// Every element opened is closed in order, except void elements (`<meta>`); comments and
    /// the doctype are skipped. Enough for the markup this report emits.
    private func expectBalancedTags(_ document: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let voidElements: Set<String> = ["meta", "br", "hr", "img", "input", "link"]
        var open: [String] = []
        var rest = Substring(document)
        while let start = rest.firstIndex(of: "<") {
            let end = try #require(rest[start...].firstIndex(of: ">"), "unterminated tag", sourceLocation: sourceLocation)
            let tag = rest[rest.index(after: start)..<end]
            rest = rest[rest.index(after: end)...]
            if tag.hasPrefix("!") { continue }
            let isClosing = tag.hasPrefix("/")
            let name = String((isClosing ? tag.dropFirst() : tag).prefix { $0.isLetter || $0.isNumber }).lowercased()
            #expect(!name.isEmpty, "a '<' that starts no tag: <\(tag)>", sourceLocation: sourceLocation)
            if isClosing {
                let expected = open.popLast()
                #expect(expected == name, "</\(name)> closes <\(expected ?? "nothing")>", sourceLocation: sourceLocation)
            } else if !voidElements.contains(name) && !tag.hasSuffix("/") {
                open.append(name)
            }
        }
        #expect(open.isEmpty, "never closed: \(open)", sourceLocation: sourceLocation)
    }
}
