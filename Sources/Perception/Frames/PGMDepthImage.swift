/// A 16-bit binary PGM (netpbm `P5`, maxval 65535) holding depth in mm, 0 = no return.
///
/// Written here, not taken from a package: the format is a few lines of header, and no maintained
/// Swift package reads 16-bit PGM on Linux. Per the netpbm spec: the header is `P5`, width,
/// height and maxval separated by whitespace (space, tab, CR, LF, VT, FF), with `#` comments to
/// the end of a line anywhere before maxval; exactly one whitespace character follows maxval;
/// then width x height samples of 2 bytes each, most significant byte first.
public struct PGMDepthImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Row-major samples.
    public var pixels: [UInt16]

    public init(width: Int, height: Int, pixels: [UInt16]) {
        precondition(pixels.count == width * height, "PGM image has \(pixels.count) pixels, not \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Parses a whole file's bytes. `path` only names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(DepthFrameFileError) -> PGMDepthImage {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "5") else {
            let shown = String(decoding: bytes.prefix(2), as: UTF8.self)
            throw DepthFrameFileError(path: path, problem: .wrongMagic(found: shown))
        }
        var reader = HeaderReader(bytes: bytes, position: 2, path: path)
        let width = try reader.number("width")
        let height = try reader.number("height")
        let maxval = try reader.number("maxval")
        guard width > 0, height > 0 else {
            throw DepthFrameFileError(path: path, problem: .badHeader("width and height must be positive, found \(width)x\(height)"))
        }
        guard maxval == 65535 else { throw DepthFrameFileError(path: path, problem: .wrongMaxval(maxval)) }
        guard reader.position < bytes.count, HeaderReader.isWhitespace(bytes[reader.position]) else {
            throw DepthFrameFileError(path: path, problem: .badHeader("maxval must be followed by one whitespace character"))
        }
        let start = reader.position + 1
        let (expected, overflow) = width.multipliedReportingOverflow(by: height * 2)
        guard !overflow, expected <= 1 << 30 else {
            throw DepthFrameFileError(path: path, problem: .wrongSize("\(width)x\(height) is too large for a depth frame"))
        }
        let found = bytes.count - start
        if found < expected { throw DepthFrameFileError(path: path, problem: .truncated(expectedBytes: expected, foundBytes: found)) }
        if found > expected {
            throw DepthFrameFileError(path: path, problem: .wrongSize(
                "\(found - expected) bytes after the \(width)x\(height) samples (one image per file)"))
        }
        var pixels = [UInt16](repeating: 0, count: width * height)
        for index in 0..<(width * height) {
            pixels[index] = UInt16(bytes[start + 2 * index]) << 8 | UInt16(bytes[start + 2 * index + 1])
        }
        return PGMDepthImage(width: width, height: height, pixels: pixels)
    }

    /// The file bytes: a minimal header (`P5\n640 480\n65535\n`) and big-endian samples.
    public func encode() -> [UInt8] {
        var bytes = Array("P5\n\(width) \(height)\n65535\n".utf8)
        bytes.reserveCapacity(bytes.count + pixels.count * 2)
        for sample in pixels {
            bytes.append(UInt8(sample >> 8))
            bytes.append(UInt8(sample & 0xFF))
        }
        return bytes
    }

    /// Reads header fields: whitespace and comments, then a decimal number.
    private struct HeaderReader {
        let bytes: [UInt8]
        var position: Int
        let path: String

        static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
        }

        mutating func number(_ field: String) throws(DepthFrameFileError) -> Int {
            skipWhitespaceAndComments()
            var value = 0
            var digits = 0
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                digits += 1
                position += 1
                guard digits <= 9 else {
                    throw DepthFrameFileError(path: path, problem: .badHeader("\(field) has too many digits"))
                }
            }
            guard digits > 0 else {
                let reason = position >= bytes.count ? "file ends before \(field)" : "\(field) is not a number"
                throw DepthFrameFileError(path: path, problem: .badHeader(reason))
            }
            return value
        }

        private mutating func skipWhitespaceAndComments() {
            while position < bytes.count {
                if Self.isWhitespace(bytes[position]) {
                    position += 1
                } else if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                } else {
                    return
                }
            }
        }
    }
}
