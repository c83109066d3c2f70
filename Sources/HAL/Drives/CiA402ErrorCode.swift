// Meanings of CiA 402 error codes (object 0x603F). Written by hand: no Swift CiA 402 package is
// available to this project. Codes from CiA 301 (emergency error code classes) and CiA 402-2
// (drive error codes); vendors add their own in 0xFF00...0xFFFF.

/// A drive's error code with what it means, for fault messages at the robot.
public struct CiA402ErrorCode: Equatable, Sendable, CustomStringConvertible {
    public var code: UInt16

    public init(code: UInt16) {
        self.code = code
    }

    /// The most specific meaning known: the exact code, else its class (0x23xx, then 0x2xxx).
    public var meaning: String {
        if let exact = Self.exactMeanings[code] {
            return exact
        }
        if let group = Self.exactMeanings[code & 0xFF00] {
            return group + " (0x\(Self.hex(code)))"
        }
        if let family = Self.exactMeanings[code & 0xF000] {
            return family + " (0x\(Self.hex(code)))"
        }
        return "unknown error code 0x\(Self.hex(code)) (see the drive's manual)"
    }

    /// `0x2310: continuous over-current`.
    public var description: String {
        "0x\(Self.hex(code)): \(meaning)"
    }

    private static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static let exactMeanings: [UInt16: String] = [
        0x0000: "no error",
        0x1000: "generic error",
        0x2000: "current",
        0x2100: "current on the device input side",
        0x2200: "current inside the device",
        0x2300: "current on the device output side",
        0x2310: "continuous over-current",
        0x2320: "short circuit or earth leakage",
        0x2330: "earth leakage",
        0x2340: "short circuit between motor phases",
        0x3000: "voltage",
        0x3100: "mains voltage",
        0x3200: "DC link voltage",
        0x3210: "DC link over-voltage",
        0x3220: "DC link under-voltage (supply off or sagging?)",
        0x3300: "output voltage",
        0x4000: "temperature",
        0x4100: "ambient temperature",
        0x4200: "device temperature",
        0x4210: "drive over-temperature",
        0x4300: "motor temperature",
        0x4310: "motor over-temperature",
        0x5000: "device hardware",
        0x5100: "supply of the drive electronics",
        0x5400: "power section",
        0x5500: "data storage",
        0x6000: "device software",
        0x6100: "internal software",
        0x6200: "user software",
        0x6300: "data set (parameters)",
        0x6320: "parameter error",
        0x7000: "additional modules",
        0x7100: "power",
        0x7121: "motor blocked",
        0x7300: "sensor",
        0x7303: "resolver 1 fault",
        0x7305: "incremental encoder 1 fault",
        0x8000: "monitoring",
        0x8100: "communication",
        0x8110: "communication overrun",
        0x8130: "life guard or heartbeat error (master stopped talking)",
        0x8400: "velocity controller",
        0x8500: "position controller",
        0x8611: "following error (axis blocked or overloaded?)",
        0x8612: "reference limit",
        0x9000: "external error",
        0xFF00: "device specific",
    ]
}
