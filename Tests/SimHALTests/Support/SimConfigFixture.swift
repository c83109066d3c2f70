import Config
import HAL
@testable import SimHAL

/// The shipped simulator config, and a SimEOAT built from it with a virtual clock.
enum SimFixture {
    static var repositoryRoot: String {
        var path = #filePath
        for _ in 0..<4 {
            path = String(path[..<path.lastIndex(of: "/")!])
        }
        return path
    }

    static func config(faults: [String] = []) throws -> RobotConfig {
        var config = try RobotConfig.load(path: repositoryRoot + "/firmware-config/sim.yaml")
        config.sim?.faults = faults.map { SimFaultLine(text: $0, location: SourceLocation(line: 0, column: 0)) }
        return config
    }

    static func eoat(faults: [String] = []) throws -> SimEOAT {
        try SimEOAT(config: try config(faults: faults), clock: ManualClock())
    }

    /// The real Modbus CiA 402 client on the simulated bus, as stowctl wires it.
    static func drive(_ eoat: SimEOAT, role: DriveRole, retries: Int = 0) throws -> ModbusCiA402Drive {
        let config = try config()
        let driveConfig = try required(config.drives.first { $0.role == role })
        let bus = try required(eoat.buses[driveConfig.bus])
        let client = ModbusRTUClient(
            stream: bus.stream, settings: SerialSettings(baud: 460_800),
            options: .init(responseTimeoutMilliseconds: 15, maxRetries: retries, interFrameGapNanoseconds: 0), busName: bus.name, clock: eoat.clock)
        return try ModbusCiA402Drive(
            name: role.rawValue, client: client, unit: UInt8(driveConfig.unit),
            scaling: DriveScaling(countsPerMM: driveConfig.countsPerMM, ratedCurrentMilliamps: driveConfig.ratedCurrentMA))
    }

    /// A deadline for a bus call: 100 ms of virtual time from now.
    static func deadline(_ eoat: SimEOAT) -> MonotonicInstant {
        eoat.clock.now().adding(nanoseconds: 100_000_000)
    }

    /// Moves the virtual clock on and steps the world to it.
    static func run(_ eoat: SimEOAT, ms: Int) {
        eoat.clock.advance(byNanoseconds: UInt64(ms) * 1_000_000)
        eoat.advanceToClock()
    }
}

func required<T>(_ value: T?, _ comment: String = "") throws -> T {
    guard let value else { throw FixtureError(message: "missing value \(comment)") }
    return value
}

struct FixtureError: Error { var message: String }
