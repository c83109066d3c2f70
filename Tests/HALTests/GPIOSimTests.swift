import Glibc
import Testing

@testable import HAL

/// The libgpiod backend against a real kernel GPIO chip: the gpio-sim driver, under qemu.
///
/// Runs in the hardware-in-the-loop guest (`make hil`, docs/testing.md). NOT RUN on a machine
/// without gpio-sim (this development VM has no gpiochip and cannot load modules): the suite is
/// disabled unless both variables are set, and then shows as skipped (a failure in the guest).
///   GPIO_SIM_CHIP=/dev/gpiochipN
///   GPIO_SIM_SYSFS=/sys/devices/platform/gpio-sim.N/gpiochipN
/// Writing `pull-up`/`pull-down` to `$GPIO_SIM_SYSFS/sim_gpioK/pull` drives input K;
/// `$GPIO_SIM_SYSFS/sim_gpioK/value` reads output K back (physical level, 0 or 1).
///
/// Expects a chip of at least 8 lines with offsets 0...6 free and at least one named line (the
/// guest's chip has a hog on line 7 and names on 8...15). Serialized: every test shares the chip.
@Suite(.serialized, .enabled(if: GPIOSim.isConfigured, "needs GPIO_SIM_CHIP and GPIO_SIM_SYSFS (gpio-sim under qemu)"))
struct GPIOSimTests {
    // MARK: Chips and lines

    @Test func test_aChipOpensByPathByNameAndByLabel() throws {
        let byPath = try GPIOChip.open(GPIOSim.chipPath)
        #expect(byPath.lineCount >= 8)
        let byName = try GPIOChip.open(byPath.name)
        #expect(byName.path == byPath.path)
        if !byPath.label.isEmpty {
            let byLabel = try GPIOChip.open(byPath.label)
            #expect(byLabel.path == byPath.path)
        }
    }

    @Test func test_aMissingLineNameIsNotFoundNamingTheLineAndTheChip() throws {
        let chip = try GPIOChip.open(GPIOSim.chipPath)
        let error = #expect(throws: HALError.self) { try chip.line(named: "no-such-line") }
        guard case let .notFound(what)? = error?.cause else {
            Issue.record("expected .notFound, got \(String(describing: error))")
            return
        }
        #expect(what.contains("'no-such-line'"))
        #expect(what.contains(chip.name))
    }

    @Test func test_aMissingChipIsNotFoundAndListsTheChipPresent() throws {
        let present = try GPIOChip.open(GPIOSim.chipPath)
        let error = #expect(throws: HALError.self) { try GPIOChip.open("/dev/gpiochip99") }
        guard case let .notFound(what)? = error?.cause else {
            Issue.record("expected .notFound, got \(String(describing: error))")
            return
        }
        #expect(what.contains("/dev/gpiochip99"))
        #expect(what.contains(present.name))
    }

    @Test func test_anOffsetPastTheLastLineIsNotFoundWithTheValidRange() throws {
        let chip = try GPIOChip.open(GPIOSim.chipPath)
        let error = #expect(throws: HALError.self) { try chip.line(at: 9999) }
        guard case let .notFound(what)? = error?.cause else {
            Issue.record("expected .notFound, got \(String(describing: error))")
            return
        }
        #expect(what.contains("0...\(chip.lineCount - 1)"))
    }

    @Test func test_aNamedLineIsFoundByItsName() throws {
        let chip = try GPIOChip.open(GPIOSim.chipPath)
        // The harness decides the names; any named line will do, but there must be one.
        guard let named = try chip.lineInfos().first(where: { $0.name != nil }), let name = named.name else {
            Issue.record("\(chip.name) has no named lines: give the gpio-sim chip line names (scripts/hil/guest-init does)")
            return
        }
        #expect(try chip.line(named: name).offset == named.offset)
        #expect(try chip.line(name).offset == named.offset)
    }

    // MARK: Inputs

    @Test func test_anInputReadsTheLevelTheSimulatorPulls() throws {
        let input = try GPIOInput(name: "test.input", line: try GPIOSim.line(2))
        try GPIOSim.pull(2, up: true)
        #expect(try input.read() == true)
        try GPIOSim.pull(2, up: false)
        #expect(try input.read() == false)
    }

    @Test func test_anActiveLowInputReadsAssertedWhenPulledLow() throws {
        let input = try GPIOInput(name: "test.estop", line: try GPIOSim.line(2), options: GPIOLineOptions(activeLow: true))
        try GPIOSim.pull(2, up: false)
        #expect(try input.read() == true)
        try GPIOSim.pull(2, up: true)
        #expect(try input.read() == false)
    }

    @Test func test_aPullUpOrPullDownBiasSetsTheLevelOfAnUndrivenInput() throws {
        // gpio-sim applies a requested bias as the simulated pull, as a real pin with nothing
        // connected would float to the bias.
        let pulledUp = try GPIOInput(name: "test.input", line: try GPIOSim.line(3), options: GPIOLineOptions(bias: .pullUp))
        #expect(try pulledUp.read() == true)
        pulledUp.close()
        let pulledDown = try GPIOInput(name: "test.input", line: try GPIOSim.line(3), options: GPIOLineOptions(bias: .pullDown))
        #expect(try pulledDown.read() == false)
        #expect(try GPIOSim.line(3).info().bias == .pullDown)
        pulledDown.close()
    }

    @Test func test_aRequestedLineShowsConsumerStowctlAndIsFreeAgainAfterClose() throws {
        let line = try GPIOSim.line(3)
        let input = try GPIOInput(name: "test.input", line: line, options: GPIOLineOptions(bias: .pullUp))
        let info = try line.info()
        #expect(info.used)
        #expect(info.consumer == "stowctl")
        #expect(info.direction == .input)
        #expect(info.bias == .pullUp)
        input.close()
        #expect(try line.info().used == false)
        #expect(throws: HALError(device: "test.input (\(line.displayName))", cause: .closed)) { try input.read() }
    }

    @Test func test_aLineHeldByAnotherRequestIsBusyNamingItsConsumer() throws {
        let first = try GPIOInput(name: "test.first", line: try GPIOSim.line(5))
        defer { first.close() }
        // A second chip handle, as a second process would have: the kernel answers EBUSY.
        let otherChip = try GPIOChip.open(GPIOSim.chipPath)
        let error = #expect(throws: HALError.self) { try GPIOInput(name: "test.second", line: try otherChip.line(at: 5)) }
        guard case let .busy(what)? = error?.cause else {
            Issue.record("expected .busy, got \(String(describing: error))")
            return
        }
        #expect(what.contains("line 5"))
        #expect(what.contains("\"stowctl\""))
        #expect(error?.device.hasPrefix("test.second") == true)
    }

    // MARK: Outputs

    @Test func test_anOutputIsRequestedAtItsSafeValue() throws {
        let output = try GPIOOutput(name: "test.enable", line: try GPIOSim.line(0), safeValue: true)
        defer { try? output.close() }
        #expect(try GPIOSim.value(0) == 1)
    }

    @Test func test_anOutputDrivesTheLineAndIsReleasedOnClose() throws {
        let output = try GPIOOutput(name: "test.solenoid", line: try GPIOSim.line(0), safeValue: false)
        try output.write(true)
        #expect(try GPIOSim.value(0) == 1)
        #expect(try output.readBack() == true)
        try output.close()
        // The safe value written just before release cannot be seen from here: gpio-sim returns a
        // released line to its simulated pull at once. What can be seen is that it was released.
        #expect(try GPIOSim.line(0).info().used == false)
        #expect(throws: HALError.self) { try output.write(true) }
    }

    @Test func test_anActiveLowOutputDrivesLowWhenAsserted() throws {
        let output = try GPIOOutput(
            name: "test.light", line: try GPIOSim.line(1), safeValue: false, options: GPIOLineOptions(activeLow: true))
        defer { try? output.close() }
        #expect(try GPIOSim.value(1) == 1)
        try output.write(true)
        #expect(try GPIOSim.value(1) == 0)
    }

    // MARK: Line sets

    @Test func test_anOutputSetWritesAllLinesAndRestoresSafeValuesOnClose() throws {
        let set = try GPIOLineSet(
            outputs: ["test.a", "test.b"], lines: try GPIOSim.lines(0, 1), safeValues: [false, true])
        #expect(try [GPIOSim.value(0), GPIOSim.value(1)] == [0, 1])
        try set.write([true, false])
        #expect(try [GPIOSim.value(0), GPIOSim.value(1)] == [1, 0])
        var values = [false, false]
        try set.read(into: &values)
        #expect(values == [true, false])
        try set.close()
        // As for single outputs, gpio-sim drops released lines to their pull, hiding the safe values.
        #expect(try GPIOSim.line(0).info().used == false)
        #expect(try GPIOSim.line(1).info().used == false)
    }

    @Test func test_anInputSetReadsAllLinesInOneSnapshot() throws {
        let set = try GPIOLineSet(inputs: ["test.c", "test.d"], lines: try GPIOSim.lines(2, 3))
        defer { try? set.close() }
        try GPIOSim.pull(2, up: true)
        try GPIOSim.pull(3, up: false)
        var values = [false, false]
        try set.read(into: &values)
        #expect(values == [true, false])
        #expect(throws: HALError.self) { try set.write([true, true]) }
    }

    // MARK: Edge events

    @Test func test_edgesArriveInOrderWithKernelTimestampsOnTheMonotonicClock() throws {
        try GPIOSim.pull(4, up: false)
        let watcher = try GPIOEdgeWatcher(name: "test.switch", line: try GPIOSim.line(4))
        defer { watcher.close() }
        let before = MonotonicInstant.now()
        try GPIOSim.pull(4, up: true)
        try GPIOSim.pull(4, up: false)
        let rising = try watcher.waitForEdge(until: .inMilliseconds(2000))
        let falling = try watcher.waitForEdge(until: .inMilliseconds(2000))
        let after = MonotonicInstant.now()
        #expect(rising?.edge == .rising)
        #expect(falling?.edge == .falling)
        #expect(rising?.line == "test.switch")
        if let rising, let falling {
            #expect(before <= rising.timestamp && rising.timestamp <= falling.timestamp && falling.timestamp <= after)
        }
        #expect(try watcher.waitForEdge(until: .inMilliseconds(50)) == nil)
    }

    @Test func test_edgesWithinTheDebounceTimeAreDroppedAndCounted() throws {
        try GPIOSim.pull(4, up: false)
        let watcher = try GPIOEdgeWatcher(
            name: "test.switch", line: try GPIOSim.line(4), debounceNanoseconds: 500_000_000)
        defer { watcher.close() }
        try GPIOSim.pull(4, up: true)
        try GPIOSim.pull(4, up: false)
        try GPIOSim.pull(4, up: true)
        #expect(try watcher.waitForEdge(until: .inMilliseconds(2000))?.edge == .rising)
        #expect(try watcher.waitForEdge(until: .inMilliseconds(100)) == nil)
        #expect(watcher.droppedEdgeCounts == [2])
    }

    @Test func test_edgesOfSeveralLinesComeFromOneWatcherNamedBySignal() throws {
        try GPIOSim.pull(4, up: false)
        try GPIOSim.pull(6, up: false)
        let watcher = try GPIOEdgeWatcher(
            name: "test.switches", lineNames: ["test.home", "test.extended"],
            lines: try GPIOSim.lines(4, 6))
        defer { watcher.close() }
        try GPIOSim.pull(6, up: true)
        try GPIOSim.pull(4, up: true)
        let first = try watcher.waitForEdge(until: .inMilliseconds(2000))
        let second = try watcher.waitForEdge(until: .inMilliseconds(2000))
        #expect(first?.line == "test.extended")
        #expect(second?.line == "test.home")
    }
}

/// The gpio-sim chip named by the environment, and its sysfs knobs.
private enum GPIOSim {
    static let chipPath = environment("GPIO_SIM_CHIP") ?? ""
    static let sysfs = environment("GPIO_SIM_SYSFS") ?? ""

    static var isConfigured: Bool {
        !chipPath.isEmpty && !sysfs.isEmpty
    }

    /// A line of a freshly opened chip handle.
    static func line(_ offset: Int) throws -> GPIOLine {
        try GPIOChip.open(chipPath).line(at: offset)
    }

    /// Lines of one chip handle, as one bulk request needs.
    static func lines(_ offsets: Int...) throws -> [GPIOLine] {
        let chip = try GPIOChip.open(chipPath)
        return try offsets.map { try chip.line(at: $0) }
    }

    /// Drives simulated input `offset` high or low, as a switch on the pin would.
    static func pull(_ offset: Int, up: Bool) throws {
        try write(up ? "pull-up" : "pull-down", to: "\(sysfs)/sim_gpio\(offset)/pull")
    }

    /// The physical level the chip drives on `offset`: 0 or 1.
    static func value(_ offset: Int) throws -> Int {
        let text = try read("\(sysfs)/sim_gpio\(offset)/value")
        guard let value = Int(text.filter(\.isNumber)) else {
            throw HALError(device: sysfs, cause: .protocolViolation("sim_gpio\(offset)/value reads '\(text)'"))
        }
        return value
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func write(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY)
        guard descriptor >= 0 else { throw HALError(device: path, cause: .errno(call: "open", code: errno)) }
        defer { Glibc.close(descriptor) }
        let written = text.withCString { Glibc.write(descriptor, $0, strlen($0)) }
        guard written == text.utf8.count else { throw HALError(device: path, cause: .errno(call: "write", code: errno)) }
    }

    private static func read(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw HALError(device: path, cause: .errno(call: "open", code: errno)) }
        defer { Glibc.close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = Glibc.read(descriptor, &bytes, bytes.count)
        guard count >= 0 else { throw HALError(device: path, cause: .errno(call: "read", code: errno)) }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }
}
