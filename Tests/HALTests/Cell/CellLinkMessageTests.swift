import HAL
import Testing

/// The cell link's lines (docs/cell-link.md): what we send, and every answer we accept or refuse.
@Suite("Cell link messages")
struct CellLinkMessageTests {
    @Test("MOVE and WHAT requests are one line each, numbers with one decimal")
    func requestLines() {
        #expect(CellRequest.move(sequence: 7, pose: .induct).line == "MOVE 7 induct\n")
        #expect(CellRequest.move(sequence: 8, pose: .sideline).line == "MOVE 8 sideline\n")
        #expect(CellRequest.move(sequence: 9, pose: ArmPose(station: .bin("r1c2"), xMM: 140, advanceMM: -20)).line
            == "MOVE 9 bin r1c2 140.0 -20.0\n")
        #expect(CellRequest.move(sequence: 10, pose: ArmPose(station: .bin("r0c0"), xMM: 12.34, advanceMM: -0.04)).line
            == "MOVE 10 bin r0c0 12.3 0.0\n")
        #expect(CellRequest.what(sequence: 4_294_967_295).line == "WHAT 4294967295\n")
        #expect(CellRequest.what(sequence: 3).summary == "WHAT 3")
    }

    @Test("every answer kind parses, CR before LF ignored")
    func answersParse() throws {
        #expect(try CellAnswer.parse("OK 12") == .ok(sequence: 12))
        #expect(try CellAnswer.parse("OK 12\r") == .ok(sequence: 12))
        #expect(try CellAnswer.parse("NOITEM 3") == .noItem(sequence: 3))
        #expect(try CellAnswer.parse("ERR 5 unknown bin r9c9") == .err(sequence: 5, reason: "unknown bin r9c9"))
        let item = ItemCatalogEntry(id: "B0001", kind: "rigid-box", widthMM: 120, heightMM: 80.5, depthMM: 60, massKG: 0.45)
        #expect(try CellAnswer.parse("ITEM 4 B0001 rigid-box 120 80.5 60.0 0.45") == .item(sequence: 4, entry: item))
    }

    @Test("an answer's own line parses back to the same answer")
    func answersRoundTrip() throws {
        let answers: [CellAnswer] = [
            .ok(sequence: 1), .noItem(sequence: 2), .err(sequence: 3, reason: "arm in manual mode"),
            .item(sequence: 4, entry: ItemCatalogEntry(id: "X-9", kind: "soft-bag", widthMM: 200, heightMM: 150, depthMM: 30, massKG: 0.2)),
        ]
        for answer in answers {
            #expect(try CellAnswer.parse(answer.line.dropLast()) == answer)
        }
    }

    @Test("every malformed line is an error that quotes it and says what is wrong", arguments: [
        ("", "empty line"),
        (" OK 1", "starts with a space"),
        ("HELLO 1", "unknown keyword 'HELLO' (expected OK, ERR, ITEM or NOITEM)"),
        ("ok 1", "unknown keyword 'ok'"),
        ("OK", "OK takes 1 field(s) (<seq>), found 0"),
        ("OK 1 2", "OK takes 1 field(s) (<seq>), found 2"),
        ("OK x", "sequence number 'x' is not a whole number"),
        ("OK -1", "sequence number '-1' is not a whole number"),
        ("OK +1", "sequence number '+1' is not a whole number"),
        ("OK 4294967296", "sequence number '4294967296' is not a whole number"),
        ("OK  1", "fields must be separated by exactly one space"),
        ("ERR 1", "ERR needs a reason"),
        ("ERR 1  ", "ERR needs a reason"),
        ("NOITEM", "NOITEM takes 1 field(s) (<seq>), found 0"),
        ("ERR", "ERR needs a sequence number"),
        ("ITEM 4 B1 box 120 80 60", "ITEM takes 7 field(s)"),
        ("ITEM 4 B1 box 120 80 60 0.4 extra", "ITEM takes 7 field(s)"),
        ("ITEM 4 B1 box 1e3 80 60 0.4", "w_mm '1e3' is not a decimal number"),
        ("ITEM 4 B1 box nan 80 60 0.4", "w_mm 'nan' is not a decimal number"),
        ("ITEM 4 B1 box 120 80 60 .4", "mass_kg '.4' is not a decimal number"),
        ("ITEM 4 B1 box 120 80 -60 0.4", "d_mm -60 is out of range"),
        ("ITEM 4 B1 box 120 80 0 0.4", "d_mm 0 is out of range"),
        ("ITEM 4 B1 box 120 80 60 500", "mass_kg 500 is out of range"),
        ("OK 1\t", "not printable ASCII"),
        ("OK 1\u{0}", "not printable ASCII"),
        ("ITEM 4 Bé box 120 80 60 0.4", "not printable ASCII"),
    ])
    func malformed(line: String, problem: String) {
        #expect {
            _ = try CellAnswer.parse(Substring(line))
        } throws: { error in
            guard let error = error as? CellLinkParseError else { return false }
            return error.problem.hasPrefix(problem) && error.description.contains("bad line from the cell controller")
        }
    }

    @Test("a very long garbage line is quoted cut to 80 characters")
    func longLineIsCut() {
        let line = String(repeating: "Z", count: 500)
        #expect {
            _ = try CellAnswer.parse(Substring(line))
        } throws: { error in
            (error as? CellLinkParseError)?.line.count == 83
        }
    }

    @Test("random bytes never crash the parser")
    func fuzz() {
        var generator = SplitMix64(seed: 0xCE11)
        let alphabet = Array("OKERRITEMNO 0123456789.-+\r\t\u{0}xé".unicodeScalars)
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 40)
            var text = String.UnicodeScalarView()
            for _ in 0..<count { text.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            _ = try? CellAnswer.parse(Substring(String(text)))
        }
    }
}
