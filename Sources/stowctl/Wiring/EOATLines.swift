import Config
import HAL

/// The EOAT's GPIO lines of a `backend: linux` config, each requested through libgpiod: inputs
/// with their bias and active level, outputs driven to their safe value from the request on.
/// Closing (or deinit) writes every output's safe value, then releases every line.
final class EOATLines {
    let chip: GPIOChip
    let inputs: [GPIOInput]
    let outputs: [GPIOOutput]

    /// Requests every line of `config`. Throws `HALError` naming the chip or the signal and its
    /// line (missing, held by another process); lines requested before the failure are released.
    init(_ config: GPIOConfig) throws {
        guard let selector = config.chip else {
            throw HALError(device: "gpio", cause: .invalidRequest("the config names no gpio chip (gpio.chip or gpio.chip_label)"))
        }
        switch selector {
        case let .path(path): chip = try GPIOChip.open(path)
        case let .label(label): chip = try GPIOChip.open(label)
        }
        var inputs: [GPIOInput] = []
        for signal in config.inputs {
            let options = GPIOLineOptions(activeLow: signal.activeLow, bias: GPIOBias(signal.bias))
            inputs.append(try GPIOInput(name: signal.name, line: try Self.line(signal.line, on: chip), options: options))
        }
        var outputs: [GPIOOutput] = []
        for signal in config.outputs {
            let options = GPIOLineOptions(activeLow: signal.activeLow, drive: GPIODrive(signal.drive))
            outputs.append(try GPIOOutput(name: signal.name, line: try Self.line(signal.line, on: chip),
                                          safeValue: signal.safeValue, options: options))
        }
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
        for input in inputs {
            input.close()
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
