import Config
import HAL

/// The drive buses of a `backend: linux` config: each bus's port opened with its settings, one
/// Modbus RTU client per bus, and a CiA 402 drive per configured drive on it.
final class DriveBuses {
    /// Every configured drive with its device, as `Controller` takes them.
    let drives: [(config: DriveConfig, device: MotorDrive)]
    private let streams: [ByteStream]

    /// Opens every bus that has drives. Throws `HALError` naming the bus's port, or the drive
    /// whose register profile is unusable; ports opened before the failure are closed.
    init(_ config: RobotConfig, transport: SerialTransport = .auto) throws {
        var drives: [(config: DriveConfig, device: MotorDrive)] = []
        var streams: [ByteStream] = []
        do {
            for bus in config.buses {
                let onBus = config.drives.filter { $0.bus == bus.name }
                guard !onBus.isEmpty else { continue }
                let stream = try transport.open(bus: bus)
                streams.append(stream)
                let client = ModbusRTUClient(stream: stream, settings: SerialSettings(bus: bus),
                                             options: ModbusRTUClient.Options(bus: bus), busName: bus.name)
                for driveConfig in onBus {
                    let profile = try RegisterProfile.from(config.registerProfile(named: driveConfig.profile) ?? .cia402Direct)
                    let drive = try ModbusCiA402Drive(name: driveConfig.role.rawValue, client: client, unit: UInt8(driveConfig.unit),
                                                      profile: profile, scaling: DriveScaling(drive: driveConfig))
                    drives.append((driveConfig, drive))
                }
            }
        } catch {
            streams.forEach { $0.close() }
            throw error
        }
        self.drives = drives
        self.streams = streams
    }

    /// Closes every bus's port. Call after the bus loops stopped.
    func close() {
        streams.forEach { $0.close() }
    }
}
