import CGPIOD
import Glibc

/// An open GPIO chip: one `/dev/gpiochipN` character device, through libgpiod 1.6 (v1 API).
///
/// The corresponding C type is `struct gpiod_chip`. Lines looked up on a chip (`GPIOLine`) point
/// into it, so every line and every request keeps its chip alive; the chip is closed
/// (`gpiod_chip_close`) when the last of them goes away.
public final class GPIOChip {
    /// The consumer name every request of this program carries; `gpioinfo` shows it as the owner.
    public static let consumer = "stowctl"

    /// The kernel's name for the chip (`gpiochip0`).
    public let name: String
    /// The driver's label (`pinctrl-bcm2711`, `gpio-sim.0-node0`); empty if the driver gives none.
    public let label: String
    /// The device file the chip was opened from (`/dev/gpiochip0`).
    public let path: String
    /// How many lines the chip has; valid offsets are `0..<lineCount`.
    public let lineCount: Int

    let handle: OpaquePointer

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
        self.name = String(cString: gpiod_chip_name(handle))
        self.label = String(cString: gpiod_chip_label(handle))
        self.lineCount = Int(gpiod_chip_num_lines(handle))
    }

    deinit {
        gpiod_chip_close(handle)
    }

    /// How the chip is named in messages: `gpiochip0 [pinctrl-bcm2711]`.
    public var displayName: String {
        label.isEmpty ? name : "\(name) [\(label)]"
    }

    /// Opens a chip by path (`/dev/gpiochip0`), name (`gpiochip0`), number (`0`) or label
    /// (`pinctrl-bcm2711`).
    ///
    /// A name that is not a device in /dev is tried as a label, so a label that happens to start
    /// with `gpiochip` still works. Throws `HALError` with device = `chip` as given:
    /// `.notFound` listing the chips present, `.invalidRequest` for a file that is not a GPIO chip,
    /// `.errno` for anything else (EACCES: run as root or join the group that owns /dev/gpiochip*).
    ///
    /// The corresponding C function is `gpiod_chip_open`; labels are matched with
    /// `gpiod_chip_label` on each chip in turn.
    public static func open(_ chip: String) throws -> GPIOChip {
        if chip.hasPrefix("/") {
            return try open(path: chip, as: chip)
        }
        if !chip.isEmpty, chip.allSatisfy(\.isASCIIDigit) {
            return try open(path: "/dev/gpiochip\(chip)", as: chip)
        }
        if chip.hasPrefix("gpiochip"), access("/dev/\(chip)", F_OK) == 0 {
            return try open(path: "/dev/\(chip)", as: chip)
        }
        for path in devicePaths() {
            // A chip we may not open cannot be the one asked for by label; the error below lists it.
            if let candidate = try? open(path: path, as: path), candidate.label == chip {
                return candidate
            }
        }
        throw HALError(device: chip, cause: .notFound("no GPIO chip with path, name or label '\(chip)'; "
            + "chips present: \(presentChipsDescription())"))
    }

    /// The `/dev/gpiochip*` device files, in numeric order (`gpiochip2` before `gpiochip10`).
    ///
    /// The corresponding C function is `glob`, as libgpiod's own chip iterator scans /dev.
    public static func devicePaths() -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob("/dev/gpiochip*", 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] {
                paths.append(String(cString: path))
            }
        }
        return paths.sorted { chipNumber($0) < chipNumber($1) }
    }

    /// One line naming every chip present, for error messages:
    /// `gpiochip0 [pinctrl-bcm2711] (58 lines), /dev/gpiochip1 (cannot open: Permission denied)`,
    /// or `none (no /dev/gpiochip* on this machine)`.
    public static func presentChipsDescription() -> String {
        let paths = devicePaths()
        if paths.isEmpty {
            return "none (no /dev/gpiochip* on this machine)"
        }
        return paths.map { path in
            // gpiod_chip_open directly, not open(path:as:), whose errors call back into this.
            guard let handle = gpiod_chip_open(path) else {
                return "\(path) (cannot open: \(String(cString: strerror(errno))))"
            }
            let chip = GPIOChip(handle: handle, path: path)
            return "\(chip.displayName) (\(chip.lineCount) lines)"
        }.joined(separator: ", ")
    }

    /// The line at `offset`. Throws `.notFound` naming the chip and its valid range.
    ///
    /// The corresponding C function is `gpiod_chip_get_line`.
    public func line(at offset: Int) throws -> GPIOLine {
        guard offset >= 0, offset < lineCount else {
            throw HALError(device: displayName, cause: .notFound(
                "line offset \(offset) on \(displayName), which has lines 0...\(lineCount - 1)"))
        }
        guard let line = gpiod_chip_get_line(handle, UInt32(offset)) else {
            throw HALError(device: displayName, cause: .errno(call: "gpiod_chip_get_line", code: errno))
        }
        return GPIOLine(chip: self, handle: line)
    }

    /// The first line whose kernel name is `name`. Throws `.notFound` naming the line and chip.
    ///
    /// Line names come from the device tree or ACPI (`gpio-line-names`); they are not unique in the
    /// kernel, so the first match wins. The corresponding C function is `gpiod_chip_find_line`.
    public func line(named name: String) throws -> GPIOLine {
        errno = 0
        if let line = gpiod_chip_find_line(handle, name) {
            return GPIOLine(chip: self, handle: line)
        }
        let code = errno
        if code == 0 || code == ENOENT {
            throw HALError(device: displayName, cause: .notFound(
                "line '\(name)' on \(displayName); `stowctl gpio list --chip \(self.name)` shows its lines"))
        }
        throw HALError(device: displayName, cause: .errno(call: "gpiod_chip_find_line", code: code))
    }

    /// A line by offset when `nameOrOffset` is all digits, else by name, as the CLI and config take it.
    public func line(_ nameOrOffset: String) throws -> GPIOLine {
        if !nameOrOffset.isEmpty, nameOrOffset.allSatisfy(\.isASCIIDigit), let offset = Int(nameOrOffset) {
            return try line(at: offset)
        }
        return try line(named: nameOrOffset)
    }

    /// What the kernel says about every line of the chip, for `stowctl gpio list`.
    public func lineInfos() throws -> [GPIOLineInfo] {
        try (0..<lineCount).map { try line(at: $0).info() }
    }

    // MARK: - Private

    /// Opens one device file; `requested` is what the caller asked for, used as the error's device.
    private static func open(path: String, as requested: String) throws -> GPIOChip {
        guard let handle = gpiod_chip_open(path) else {
            let code = errno
            switch code {
            case ENOENT:
                throw HALError(device: requested, cause: .notFound(
                    "GPIO chip \(path); chips present: \(presentChipsDescription())"))
            case ENOTTY, ENODEV:
                throw HALError(device: requested, cause: .invalidRequest(
                    "\(path) is not a GPIO chip character device; chips present: \(presentChipsDescription())"))
            default:
                throw HALError(device: requested, cause: .errno(call: "gpiod_chip_open(\(path))", code: code))
            }
        }
        return GPIOChip(handle: handle, path: path)
    }

    /// The N of `/dev/gpiochipN`, for sorting; names without a number sort last.
    private static func chipNumber(_ path: String) -> Int {
        Int(path.drop { !$0.isASCIIDigit }) ?? Int.max
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
