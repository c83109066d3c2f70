import HAL

/// A simulated RS-485 bus of CiA 402 drives: the server, its drives by unit id, and the client
/// end of the line.
///
/// Build the real controller stack on `stream`, exactly as on hardware:
///
///     let bus = SimModbusBus(name: "bus0", drives: [1: jaw, 2: leftBelt, 3: rightBelt, 4: plank], seed: 7)
///     let client = ModbusRTUClient(stream: bus.stream, settings: settings,
///                                  options: .init(interFrameGapNanoseconds: 0), busName: "bus0")
///     let plank = try ModbusCiA402Drive(name: "plank", client: client, unit: 4, scaling: scaling)
///
/// The world steps the drives (`step(byNanoseconds:)` or each drive itself) between exchanges.
/// Link faults go through `link` (`bus.link.inject(.silent, .burst(3))`), drive faults through
/// the drive (`bus.drive(unit: 4)?.inject(.stall)`).
public final class SimModbusBus {
    public let name: String
    public let server: ModbusRTUServer
    public let link: SimBusLink
    /// The drives by unit id, in unit order.
    public let drives: [(unit: UInt8, drive: SimDrive)]

    /// `drives` by unit id (1...247); each is served through `profile`. `seed` drives the link's
    /// fault draws (stream `.serialLink`).
    public init(name: String = "bus0", drives: [UInt8: SimDrive], profile: RegisterProfile = .cia402Direct, seed: UInt64) {
        self.name = name
        server = ModbusRTUServer()
        for (unit, drive) in drives {
            server.serve(unit: unit, map: SimDriveRegisterMap(drive: drive, profile: profile))
        }
        link = SimBusLink(name: name, server: server, seed: seed)
        self.drives = drives.sorted { $0.key < $1.key }.map { (unit: $0.key, drive: $0.value) }
    }

    /// The client end of the line, for `ModbusRTUClient`.
    public var stream: ByteStream { link }

    public func drive(unit: UInt8) -> SimDrive? {
        drives.first { $0.unit == unit }?.drive
    }

    /// Steps every drive, in unit order.
    public func step(byNanoseconds nanoseconds: UInt64) {
        for index in drives.indices {  // by index: `for in` allocates in an unoptimized build
            drives[index].drive.step(byNanoseconds: nanoseconds)
        }
    }
}
