import Config
import Console
import HAL
import Perception

/// What each libFuzzer target feeds its input to, shared with the regression specs
/// (`Tests/FuzzRegressionTests`) so a crash input replays through exactly the same code.
/// Every function must return normally for any bytes; errors thrown by the code under test are
/// the expected answer to bad input and are swallowed here. A trap is a finding.
///
/// The entry points (`@_cdecl("LLVMFuzzerTestOneInput")`) live in the separate package under
/// `Fuzz/`, built with `swift build --sanitize=fuzzer`, so the product's build never compiles them.
public enum FuzzHarness {
    /// The targets by name, as `scripts/fuzz` and the corpora folders call them.
    public static let targets: [String: @Sendable ([UInt8]) -> Void] = [
        "modbus-reply": { modbusReply($0) },
        "robot-config": { robotConfig($0) },
        "console-line": { consoleLine($0) },
        "pgm-frame": { pgmFrame($0) },
    ]

    /// The Modbus RTU reply decoder: the first byte picks the request the reply answers (each
    /// function code, small and large counts), the rest is the frame as it came off the wire.
    /// Decoded whole and parsed byte by byte as the client does while bytes arrive.
    public static func modbusReply(_ data: [UInt8]) {
        guard let selector = data.first else { return }
        let frame = Array(data.dropFirst())
        let requests: [ModbusRequest] = [
            .readHoldingRegisters(address: 0x6041, count: 1),
            .readHoldingRegisters(address: 0, count: UInt16(ModbusRequest.maxReadCount)),
            .readInputRegisters(address: 0x6064, count: 2),
            .writeSingleRegister(address: 0x6040, value: 0x000F),
            .writeMultipleRegisters(address: 0x607A, values: [0, 1000]),
            .readWriteMultipleRegisters(readAddress: 0x6041, readCount: 5, writeAddress: 0x6040, values: [0x000F, 0, 0]),
            .readWriteMultipleRegisters(readAddress: 0, readCount: 1, writeAddress: 0, values: [1]),
        ]
        let request = requests[Int(selector) % requests.count]
        let unit = UInt8(selector >> 4)
        _ = try? ModbusReply.decode(frame, for: request, unit: unit)
        for end in 0...frame.count {
            _ = ModbusReply.parse(frame[0..<end], for: request, unit: unit)
        }
    }

    /// The config loader: YAML text through Yams and every section reader and cross-check; each
    /// line also through the fault-line grammar that `sim.faults` and the console share.
    public static func robotConfig(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        _ = try? RobotConfig.parse(yaml: text, file: "fuzz.yaml")
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(64) {
            _ = try? SimFaultSpec.parse(String(line))
        }
    }

    /// The console's input path: bytes through the line editor (escape sequences, backspace,
    /// history, overlong lines), every finished line through the command parser.
    public static func consoleLine(_ data: [UInt8]) {
        var editor = LineEditor(maxLineBytes: 256, historyLimit: 8)
        var echo: [UInt8] = []
        for outcome in editor.feed(data, echo: &echo) {
            if case let .line(line) = outcome {
                _ = try? ConsoleCommand.parse(line)
            }
        }
        _ = try? ConsoleCommand.parse(String(decoding: data, as: UTF8.self))
    }

    /// The PGM depth frame reader (recorded frames, `stowctl perceive`, the replay camera).
    public static func pgmFrame(_ data: [UInt8]) {
        _ = try? PGMDepthImage.decode(data, path: "fuzz.pgm")
    }
}
