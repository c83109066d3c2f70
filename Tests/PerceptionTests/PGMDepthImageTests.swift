import Foundation
import HAL
import Testing
@testable import Perception

@Suite("16-bit PGM depth images")
struct PGMDepthImageTests {
    @Test("an image survives encode and decode unchanged, big-endian samples included")
    func roundTrip() throws {
        let image = PGMDepthImage(width: 3, height: 2, pixels: [0, 1, 255, 256, 0x1234, 65535])
        let bytes = image.encode()
        #expect(Array(bytes.prefix(13)) == Array("P5\n3 2\n65535\n".utf8))
        #expect(Array(bytes.suffix(4)) == [0x12, 0x34, 0xFF, 0xFF])
        #expect(try PGMDepthImage.decode(bytes, path: "x.pgm") == image)
    }

    @Test("header comments and any netpbm whitespace between fields are accepted")
    func commentsAndWhitespace() throws {
        var bytes = Array("P5 # depth in mm\n#another\n\t2\r\n# between\n1\u{0B}\u{0C}65535\n".utf8)
        bytes += [0x01, 0x00, 0x00, 0x02]
        let image = try PGMDepthImage.decode(bytes, path: "c.pgm")
        #expect(image.width == 2 && image.height == 1)
        #expect(image.pixels == [256, 2])
    }

    @Test("wrong magic is an error naming the file")
    func wrongMagic() {
        let error = #expect(throws: DepthFrameFileError.self) {
            try PGMDepthImage.decode(Array("P2\n1 1\n65535\n0".utf8), path: "bad.pgm")
        }
        #expect(error?.problem == .wrongMagic(found: "P2"))
        #expect(error?.description.hasPrefix("bad.pgm: ") == true)
    }

    @Test("an 8-bit PGM (maxval 255) is rejected: depth frames are 16-bit")
    func wrongMaxval() {
        let error = #expect(throws: DepthFrameFileError.self) {
            try PGMDepthImage.decode(Array("P5\n1 1\n255\n".utf8) + [0], path: "8bit.pgm")
        }
        #expect(error?.problem == .wrongMaxval(255))
    }

    @Test("fewer samples than width x height is truncated, with the byte counts")
    func truncated() {
        let error = #expect(throws: DepthFrameFileError.self) {
            try PGMDepthImage.decode(Array("P5\n2 2\n65535\n".utf8) + [0, 1, 0], path: "short.pgm")
        }
        #expect(error?.problem == .truncated(expectedBytes: 8, foundBytes: 3))
    }

    @Test("extra bytes after the samples are a wrong size")
    func tooLong() {
        let error = #expect(throws: DepthFrameFileError.self) {
            try PGMDepthImage.decode(Array("P5\n1 1\n65535\n".utf8) + [0, 1, 2], path: "long.pgm")
        }
        guard case .wrongSize = error?.problem else {
            Issue.record("expected wrongSize, got \(String(describing: error))")
            return
        }
    }

    @Test("a header that ends early or has a non-number is a bad header")
    func badHeader() {
        for text in ["P5\n640", "P5\n640 x\n65535\n", "P5\n0 4\n65535\n"] {
            let error = #expect(throws: DepthFrameFileError.self) { try PGMDepthImage.decode(Array(text.utf8), path: "h.pgm") }
            guard case .badHeader = error?.problem else {
                Issue.record("\(text.debugDescription): expected badHeader, got \(String(describing: error))")
                continue
            }
        }
    }
}
