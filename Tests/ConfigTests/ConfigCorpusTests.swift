import Foundation
import Testing
@testable import Config

/// The config corpus: every bad file states, in `# expect: LINE:COL: message` comments, exactly
/// the diagnostics it must produce; every good file must load.
struct ConfigCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func files(in folder: String) -> [String] {
        let directory = corpus.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    static let badFiles = files(in: "bad")
    static let goodFiles = files(in: "good") + [
        repositoryRoot.appendingPathComponent("firmware-config/sim.yaml").path,
        repositoryRoot.appendingPathComponent("firmware-config/eoat-linux.yaml").path,
    ]

    @Test func corpusIsNotEmpty() {
        #expect(Self.badFiles.count >= 20)
        #expect(Self.goodFiles.count >= 4)
    }

    @Test(arguments: badFiles)
    func badFileReportsExactlyItsExpectedDiagnostics(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = text.split(separator: "\n")
            .filter { $0.hasPrefix("# expect: ") }
            .map { "\(path):" + $0.dropFirst("# expect: ".count).replacingFirst(": ", with: ": error: ") }
        #expect(!expected.isEmpty, "\(path) has no '# expect:' lines")

        let error = #expect(throws: ConfigError.self) { try RobotConfig.load(path: path) }
        #expect(error?.diagnostics.map(\.description) == expected)
    }

    @Test(arguments: goodFiles)
    func goodFileLoads(path: String) throws {
        let config = try RobotConfig.load(path: path)
        #expect(config.drives.count == DriveRole.allCases.count)
        #expect(config.gpio.inputs.count + config.gpio.outputs.count == SignalCatalog.all.count)
    }

    @Test func missingFileIsOneClearError() {
        let error = #expect(throws: ConfigError.self) { try RobotConfig.load(path: "/nonexistent/robot.yaml") }
        #expect(error?.description == "/nonexistent/robot.yaml:0:0: error: no such file")
    }

    @Test func defaultsAreFilledInWhenOptionalKeysAreOmitted() throws {
        let config = try RobotConfig.load(path: Self.corpus.appendingPathComponent("good/sim-with-defaults.yaml").path)
        let bus = try #require(config.bus(named: "bus0"))
        #expect(bus.parity == .even)
        #expect(bus.retries == 1)
        #expect(bus.driveTurnaroundMS == 1)
        #expect(config.loops.control.executor == .realtime)
        #expect(config.loops.control.overrun == .fault)
        #expect(config.loops.perception.hz == 15)
        #expect(config.stow.explorationShare == 0.05)
        #expect(config.stow.maxBinRetries == 2)
        #expect(config.sim?.seed == 1)
        #expect(config.sim?.world == .default)
        #expect(config.gpio.input("eoat.plank.home")?.debounceMS == 0)
    }

    @Test func shippedLinuxConfigResolvesWiring() throws {
        let path = Self.repositoryRoot.appendingPathComponent("firmware-config/eoat-linux.yaml").path
        let config = try RobotConfig.load(path: path)
        #expect(config.backend == .linux)
        #expect(config.gpio.chip == .label("eoat-io"))
        #expect(config.gpio.input("eoat.estop")?.activeLow == true)
        #expect(config.gpio.output("eoat.drive-enable")?.safeValue == false)
        #expect(config.bus(named: "bus0")?.port == .usbSerial("FT6RS485A"))
        #expect(config.drive(.plank)?.unit == 4)
        #expect(config.registerProfile(named: "cia402-direct")?.addresses[.statusword] == 0x6041)
    }
}

extension StringProtocol {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return String(self) }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
