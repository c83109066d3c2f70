import Testing

@testable import CampaignReport

@Suite struct ReportNumberFormatTests {
    @Test("groups thousands with commas whatever the locale")
    func grouping() {
        #expect(ReportNumberFormat.grouped(0) == "0")
        #expect(ReportNumberFormat.grouped(999) == "999")
        #expect(ReportNumberFormat.grouped(1_000) == "1,000")
        #expect(ReportNumberFormat.grouped(-1_234_567) == "-1,234,567")
        #expect(ReportNumberFormat.fixed(1234.56, decimals: 1) == "1,234.6")
        #expect(ReportNumberFormat.fixed(-0.001, decimals: 2) == "0.00")
    }

    @Test("differences always carry a sign")
    func signs() {
        #expect(ReportNumberFormat.signed(0.215, decimals: 2) == "+0.22" || ReportNumberFormat.signed(0.215, decimals: 2) == "+0.21")
        #expect(ReportNumberFormat.signed(-1.3, decimals: 2) == "-1.30")
        #expect(ReportNumberFormat.signed(0, decimals: 1) == "+0.0")
    }

    @Test("durations read as hours, minutes and seconds")
    func durations() {
        #expect(ReportNumberFormat.duration(seconds: 12.34) == "12.3s")
        #expect(ReportNumberFormat.duration(seconds: 245) == "4m05s")
        #expect(ReportNumberFormat.duration(seconds: 7_391) == "2h03m11s")
        #expect(ReportNumberFormat.duration(seconds: .nan) == "n/a")
    }
}
