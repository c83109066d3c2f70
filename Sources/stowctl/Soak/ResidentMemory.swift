import Foundation

/// This process's resident set size, read from /proc/self/statm (second field, in pages).
enum ResidentMemory {
    /// Resident bytes now, or nil where /proc is not available.
    static func bytes() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = UInt64(fields[1]) else { return nil }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// RSS samples over a run: the first after warm-up, the last, and the largest.
struct ResidentMemorySamples: Codable {
    var startBytes: UInt64 = 0
    var endBytes: UInt64 = 0
    var maxBytes: UInt64 = 0
    var samples = 0

    mutating func add(_ bytes: UInt64) {
        if samples == 0 { startBytes = bytes }
        endBytes = bytes
        maxBytes = max(maxBytes, bytes)
        samples += 1
    }

    /// End minus start; 0 when it shrank.
    var growthBytes: UInt64 { endBytes > startBytes ? endBytes - startBytes : 0 }
}
