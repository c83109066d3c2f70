import Config
import Control
import HAL

/// The EOAT's GPIO lines of a `backend: linux` config, each requested through libgpiod: inputs
/// with their bias and active level, outputs driven to their safe value from the request on.
/// Closing (or deinit) writes every output's safe value, then releases every line.
///
/// An input with `debounce_ms` reaches the controller through a `DebouncedInput`: a new level
/// counts once it has held that long. The e-stop's asserted level counts at once (fail-safe).
final class EOATLines {
    let chip: GPIOChip
    let lines: [GPIOInput]
    let outputs: [GPIOOutput]
    /// What the control tick reads: each line, debounced as configured.
    let inputs: [DigitalInput]

    /// Requests every line of `config`. Throws `HALError` naming the chip or the signal and its
    /// line (missing, held by another process); lines requested before the failure are released.
    init(_ config: GPIOConfig, clock: MonotonicClock = SystemClock.shared) throws {
        guard let selector = config.chip else {
            throw HALError(device: "gpio", cause: .invalidRequest("the config names no gpio chip (gpio.chip or gpio.chip_label)"))
        }
        switch selector {
        case let .path(path): chip = try GPIOChip.open(path)
        case let .label(label): chip = try GPIOChip.open(label)
        }
        var lines: [GPIOInput] = []
        var inputs: [DigitalInput] = []
        for signal in config.inputs {
            let options = GPIOLineOptions(activeLow: signal.activeLow, bias: GPIOBias(signal.bias))
            let line = try GPIOInput(name: signal.name, line: try Self.line(signal.line, on: chip), options: options)
            lines.append(line)
            if signal.debounceMS > 0 {
                let debouncer = LevelDebouncer(stableNanoseconds: UInt64(signal.debounceMS * 1e6),
                                               immediateLevel: signal.name == EOATInputs.estopSignal ? true : nil)
                inputs.append(DebouncedInput(line, debouncer: debouncer, clock: clock))
            } else {
                inputs.append(line)
            }
        }
        var outputs: [GPIOOutput] = []
        for signal in config.outputs {
            let options = GPIOLineOptions(activeLow: signal.activeLow, drive: GPIODrive(signal.drive))
            outputs.append(try GPIOOutput(name: signal.name, line: try Self.line(signal.line, on: chip),
                                          safeValue: signal.safeValue, options: options))
        }
        self.lines = lines
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Every output as it is driven now (read back from the kernel), for the shutdown report.
    func outputLevels() -> [(name: String, value: Bool?, safe: Bool)] {
        outputs.map { ($0.name, try? $0.readBack(), $0.safeValue) }
    }

    /// Writes each output's safe value and releases every line. Returns the outputs that could
    /// not be written (their lines are released anyway).
    func close() -> [String] {
        var failed: [String] = []
        for output in outputs {
            do {
                try output.close()
            } catch {
                failed.append("\(output.name): \(error)")
            }
        }
        for line in lines {
            line.close()
        }
        return failed
    }

    private static func line(_ reference: LineReference, on chip: GPIOChip) throws -> GPIOLine {
        switch reference {
        case let .name(name): return try chip.line(named: name)
        case let .offset(offset): return try chip.line(at: offset)
        }
    }
}

extension GPIOBias {
    init(_ bias: LineBias) {
        switch bias {
        case .asIs: self = .asIs
        case .disabled: self = .disabled
        case .pullUp: self = .pullUp
        case .pullDown: self = .pullDown
        }
    }
}

extension GPIODrive {
    init(_ drive: LineDrive) {
        switch drive {
        case .pushPull: self = .pushPull
        case .openDrain: self = .openDrain
        case .openSource: self = .openSource
        }
    }
}
