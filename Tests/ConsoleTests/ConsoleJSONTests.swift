import Console
import Testing

@Suite("Console JSON")
struct ConsoleJSONTests {
    @Test("objects keep their key order; strings are escaped; whole numbers print without a fraction")
    func rendering() {
        let value = ConsoleJSON.object([
            ("b", .number(2)), ("a", .number(0.5)), ("text", .string("say \"hi\"\n\u{01}")),
            ("list", .array([.bool(true), .null])), ("nan", .number(.nan)),
        ])
        #expect(value.rendered == #"{"b":2,"a":0.5,"text":"say \"hi\"\n\u0001","list":[true,null],"nan":null}"#)
    }
}
