import Control
import Testing

@testable import CampaignReport

@Suite struct CampaignTableTests {
    let table = CampaignTable.render(.sample(), colour: false)

    @Test("shows attempts and every outcome as count and percent beside the paper's percent and the difference")
    func outcomesBesideThePaper() {
        #expect(line(startingWith: "attempts").contains("10,000"))
        #expect(line(startingWith: "attempts").contains("100,000"))
        expectColumns(line(startingWith: "success"), ["8,612", "86.12 %", "85.9 %", "+0.22 pp"])
        expectColumns(line(startingWith: "unproductive"), ["921", "9.21 %", "9.3 %", "-0.09 pp"])
        expectColumns(line(startingWith: "amnesty"), ["372", "3.72 %", "3.7 %", "+0.02 pp"])
        expectColumns(line(startingWith: "damage"), ["95", "0.95 %", "0.2 %", "+0.75 pp"])
        #expect(table.contains(PaperReference.citation))
    }

    @Test("shows units per hour of simulated time beside the paper's 224")
    func unitsPerHourBesideThePaper() {
        // 8,612 successes in 140,000 simulated seconds = 221.45 per hour.
        expectColumns(line(startingWith: "units/hour (simulated)"), ["221.5", "224.0", "-2.5 u/h"])
    }

    @Test("breaks time down by phase in stow-cycle order, with total, mean per attempt and share")
    func phaseBreakdown() {
        expectColumns(line(startingWith: "await_item"), ["20,000.0", "2.000", "14.3 %"])
        expectColumns(line(startingWith: "insert"), ["30,000.0", "3.000", "21.4 %"])
        expectColumns(line(startingWith: "all phases"), ["140,000.0", "14.000", "100.0 %"])
        let order = ["await_item", "select_bin", "grasp", "approach", "separate_bands", "make_space", "insert", "retract", "verify"]
        let positions = order.map { table.range(of: "\n\($0) ")!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test("shows retries, exploration share and faults by kind, most frequent first")
    func retriesExplorationFaults() {
        expectColumns(line(startingWith: "Retries"), ["1,234", "0.123 per attempt"])
        expectColumns(line(startingWith: "Exploration"), ["456", "4.56 %"])
        expectColumns(line(startingWith: "drive-comm"), ["7"])
        expectColumns(line(startingWith: "estop"), ["2"])
        #expect(table.range(of: "drive-comm")!.lowerBound < table.range(of: "estop")!.lowerBound)
    }

    @Test("lists every non-success cause, sorted by count, long ones wrapped under themselves")
    func causesSortedByCount() throws {
        let causes = ["no bin fits 180 mm", "item fell out", "jam: belt current", "retries exhausted", "item damaged"]
        let positions = causes.map { table.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(table.contains("\n500  5.00 %  no bin fits 180 mm\n"))
        // The long cause continues on the next line, indented to the cause column.
        // Count (3 wide), 2 spaces, share (6 wide), 2 spaces: the cause column starts at 13.
        let damaged = try #require(table.split(separator: "\n").firstIndex { $0.contains("item damaged") })
        let lines = table.split(separator: "\n")
        #expect(lines[damaged + 1].hasPrefix(String(repeating: " ", count: 13)))
        #expect(lines[damaged + 1].dropFirst(13).first != " ")
        #expect(lines[damaged + 1].hasSuffix("bin 3C"))
    }

    @Test("says whether the run resumed and how fast simulated time ran against the wall clock")
    func resumeAndTimeRatio() {
        #expect(table.contains("Resumed: 4,000 attempts were already in the journal."))
        #expect(table.contains("3,500.0x real time"))
        let fresh = CampaignTable.render(.sample { $0.resumedFrom = 0 }, colour: false)
        #expect(fresh.contains("Not resumed"))
        let noWall = CampaignTable.render(.sample { $0.wallSeconds = 0 }, colour: false)
        #expect(noWall.contains("wall time not measured"))
    }

    @Test("fits 80 columns and has no escape codes without colour")
    func plainAndNarrow() {
        for line in table.split(separator: "\n") {
            #expect(line.count <= 80, "too wide: \(line)")
        }
        #expect(!table.contains("\u{1B}"))
    }

    @Test("colours the differences on a colour terminal")
    func colourOnlyWhenAsked() {
        let coloured = CampaignTable.render(.sample(), colour: true)
        #expect(coloured.contains("\u{1B}[31m-2.5 u/h\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[32m+0.22 pp\u{1B}[0m"))
    }

    @Test("replaces control characters from the run so a cause cannot drive the terminal")
    func controlCharactersReplaced() {
        let hostile = CampaignTable.render(.sample { $0.nonSuccessCauses = ["bad \u{1B}[2J clear": 3] }, colour: false)
        #expect(!hostile.contains("\u{1B}"))
        #expect(hostile.contains("bad ?[2J clear"))
    }

    @Test("an empty campaign prints zeros, not a crash or NaN")
    func emptyCampaign() {
        let empty = CampaignResult(
            campaignID: "empty", seed: 1, world: "default", configFile: "x.yaml", attempts: 0, counts: [:],
            simulatedSeconds: 0, wallSeconds: 0, phaseSeconds: [:], retries: 0, explorationCount: 0, faultsByKind: [:],
            nonSuccessCauses: [:], controlLatenessBucketsMicroseconds: [], controlLatenessCounts: [], resumedFrom: 0
        )
        let text = CampaignTable.render(empty, colour: false)
        #expect(!text.contains("nan"))
        #expect(text.contains("no faults latched"))
        #expect(text.contains("no phase times recorded"))
    }

    private func line(startingWith label: String) -> String {
        table.split(separator: "\n").first { $0.hasPrefix(label + " ") }.map(String.init) ?? ""
    }

    /// The line holds these fields, in this order, as whole words.
    private func expectColumns(_ line: String, _ fields: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        var rest = Substring(line)
        for field in fields {
            guard let range = rest.range(of: field) else {
                Issue.record("'\(field)' missing (or out of order) in line '\(line)'", sourceLocation: sourceLocation)
                return
            }
            rest = rest[range.upperBound...]
        }
    }
}
