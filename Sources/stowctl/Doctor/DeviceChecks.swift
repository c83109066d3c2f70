import Config
import Foundation
import HAL

/// Are the devices a `backend: linux` config names there, can this user open them, and do the
/// drives answer? Used by `stowctl doctor` and, before anything starts, by `stowctl run`, which
/// refuses to start while any of these fails and lists every failure at once.
///
/// Everything here only looks: lines are found but not requested, ports are opened and closed,
/// drives are read (statusword) and never written.
enum DeviceChecks {
    static let groupFix = "install the udev rules and group (make install; see docs/deploy.md), then add the user "
        + "to group stow (usermod -aG stow USER) or run as the service"

    static func all(_ config: RobotConfig) -> [DoctorCheck] {
        guard config.backend == .linux else {
            return [.skip("device", "gpio, serial ports, drives", "backend: \(config.backend.rawValue): simulated devices")]
        }
        var checks = gpio(config)
        for bus in config.buses {
            checks += serialBus(bus, config: config)
        }
        if let port = config.console.port {
            checks.append(consolePort(port))
        }
        checks += cellLink(config.cell)
        if let watchdog = config.safety.linuxWatchdog {
            checks.append(deviceFile(watchdog.device, area: "device", name: "watchdog \(watchdog.device)",
                                     missingFix: "load the watchdog driver (e.g. modprobe softdog, or the SoC's) or remove safety.linux_watchdog",
                                     required: true))
        }
        return checks
    }

    // MARK: - GPIO

    static func gpio(_ config: RobotConfig) -> [DoctorCheck] {
        guard let selector = config.gpio.chip else { return [] }
        let argument: String
        switch selector {
        case let .path(path): argument = path
        case let .label(label): argument = label
        }
        let chip: GPIOChip
        do {
            chip = try GPIOChip.open(argument)
        } catch let error as HALError {
            let fix: String
            if case .errno(_, EACCES) = error.cause {
                fix = groupFix
            } else {
                fix = "check the I/O board is powered and its driver loaded (`stowctl gpio list`, dmesg); "
                    + "the config's gpio.chip/chip_label must name it"
            }
            return [.fail("device", "gpio chip \(selector)", "\(error)", fix: fix)]
        } catch {
            return [.fail("device", "gpio chip \(selector)", "\(error)", fix: "check `stowctl gpio list`")]
        }
        var checks: [DoctorCheck] = [.ok("device", "gpio chip \(selector)", "\(chip.displayName) at \(chip.path), \(chip.lineCount) lines")]
        var missing: [String] = []
        var held: [String] = []
        let lines = config.gpio.inputs.map { ($0.name, $0.line) } + config.gpio.outputs.map { ($0.name, $0.line) }
        for (signal, reference) in lines {
            let line: GPIOLine
            do {
                switch reference {
                case let .name(name): line = try chip.line(named: name)
                case let .offset(offset): line = try chip.line(at: offset)
                }
            } catch {
                missing.append("\(signal) (\(reference))")
                continue
            }
            if let consumer = line.currentConsumer(), consumer != GPIOChip.consumer {
                held.append("\(signal) (\(reference)) held by \(consumer)")
            }
        }
        if missing.isEmpty && held.isEmpty {
            checks.append(.ok("device", "gpio lines", "all \(lines.count) EOAT lines found and free"))
        }
        if !missing.isEmpty {
            checks.append(.fail("device", "gpio lines", "not on \(chip.displayName): " + missing.joined(separator: ", "),
                                fix: "fix the line names in the config (`stowctl gpio list --chip \(chip.name)` shows them)"))
        }
        if !held.isEmpty {
            checks.append(.fail("device", "gpio lines", "in use: " + held.joined(separator: ", "),
                                fix: "stop the program holding them (gpioinfo shows the consumer)"))
        }
        return checks
    }

    // MARK: - Serial ports and drives

    /// The bus's port, then each of its drives read once.
    static func serialBus(_ bus: BusConfig, config: RobotConfig) -> [DoctorCheck] {
        guard let selector = bus.port else { return [] }
        let path: String
        switch selector {
        case let .path(given): path = given
        case let .usbSerial(serial):
            do {
                path = try LibSerialPort.path(forUSBSerialNumber: serial)
            } catch {
                return [.fail("device", "\(bus.name) port \(selector)", "\(error)",
                              fix: "plug in the RS-485 adapter, or fix buses.\(bus.name).usb_serial (`stowctl serial list` shows serial numbers)")]
            }
        }
        let portCheck = deviceFile(path, area: "device", name: "\(bus.name) port \(selector)",
                                   missingFix: "plug in the RS-485 adapter or fix buses.\(bus.name).port (`stowctl serial list`)",
                                   required: true)
        guard portCheck.status == .ok else { return [portCheck] }
        let kind = SerialTransport.isKernelSerialDevice(path) ? "kernel serial device" : "not a kernel serial device (a pty?)"
        var checks = [DoctorCheck.ok("device", "\(bus.name) port \(selector)", "\(path), \(kind), readable and writable")]
        checks += drives(on: bus, path: path, config: config)
        return checks
    }

    static func drives(on bus: BusConfig, path: String, config: RobotConfig) -> [DoctorCheck] {
        let onBus = config.drives.filter { $0.bus == bus.name }
        let settings = SerialSettings(bus: bus)
        let stream: ByteStream
        do {
            stream = try SerialTransport.auto.open(path: path, settings: settings, rs485: bus.rs485.map(RS485Settings.init(config:)))
        } catch {
            return onBus.map { .fail("drive", "drive \($0.role.rawValue)", "\(bus.name) cannot be opened: \(error)",
                                     fix: "see the port check above; a pty needs no rs485 block") }
        }
        defer { stream.close() }
        let client = ModbusRTUClient(stream: stream, settings: settings, options: ModbusRTUClient.Options(bus: bus), busName: bus.name)
        return onBus.map { driveConfig in
            let name = "drive \(driveConfig.role.rawValue)"
            do {
                let profile = try RegisterProfile.from(config.registerProfile(named: driveConfig.profile) ?? .cia402Direct)
                let drive = try ModbusCiA402Drive(name: driveConfig.role.rawValue, client: client, unit: UInt8(driveConfig.unit),
                                                  profile: profile, scaling: DriveScaling(drive: driveConfig))
                let deadline = MonotonicInstant.now().adding(nanoseconds: 500_000_000)
                let state = try drive.readState(deadline: deadline)
                if state.isFault {
                    let code = (try? drive.readErrorCode(deadline: MonotonicInstant.now().adding(nanoseconds: 500_000_000)))
                        .map { "\($0)" } ?? "error code unreadable"
                    return .warn("drive", name, "unit \(driveConfig.unit) on \(bus.name) answers: \(state.name), \(code)",
                                 fix: "clear the cause; the operator's `reset faults` sends the CiA 402 fault reset")
                }
                return .ok("drive", name, "unit \(driveConfig.unit) on \(bus.name) answers: \(state.name)")
            } catch {
                return .fail("drive", name, "unit \(driveConfig.unit) on \(bus.name): \(error)",
                              fix: "check the drive is powered, its unit id, baud \(bus.baud) and parity \(bus.parity.rawValue), "
                                  + "the A/B wiring and the bus termination (`stowctl drive scan --port \(path)`)")
            }
        }
    }

    // MARK: - Cell link

    /// The cell link's port, then one WHAT answered by the cell controller (nothing is moved).
    static func cellLink(_ cell: CellConfig?) -> [DoctorCheck] {
        guard let cell else {
            return [.fail("device", "cell link", "no cell: section in the config",
                          fix: "add cell: { port, baud, reply_timeout_ms } (firmware-config/README.md, docs/cell-link.md); "
                              + "stowctl run needs it for the arm and the induct")]
        }
        let name = "cell link \(cell.port)"
        let portCheck = deviceFile(cell.port, area: "device", name: name,
                                   missingFix: "plug in the cell controller's serial line or fix cell.port (`stowctl serial list`)",
                                   required: true)
        guard portCheck.status == .ok else { return [portCheck] }
        let link: CellLink
        do {
            link = try CellLink.open(cell)
        } catch {
            return [.fail("device", name, "\(error)", fix: "stop whatever holds \(cell.port) (systemctl stop stowctl), then rerun")]
        }
        defer { link.close() }
        let status = CellLinkOptions.wait(link) { $0.itemKnown }
        guard status.fault == nil, status.itemKnown else {
            return [.fail("device", name, status.fault ?? "no answer to WHAT within \(Int(cell.replyTimeoutMS)) ms",
                          fix: "check the cell controller runs its cell-link program, the cable (TX/RX crossed, GND), "
                              + "and baud \(cell.baud) 8N1 on both ends (`stowctl cell status --config ...`)")]
        }
        let roundTrip = String(format: "%.1f", Double(status.roundTripNanoseconds ?? 0) / 1e6)
        return [.ok("device", name, "\(cell.port) answers WHAT in \(roundTrip) ms; item: \(CellItemCommand.describe(status.item))")]
    }

    static func consolePort(_ path: String) -> DoctorCheck {
        var check = deviceFile(path, area: "device", name: "console port \(path)",
                               missingFix: "fix console.port, or remove it to use stdin/stdout", required: false)
        if check.status == .ok {
            check.found += SerialTransport.isKernelSerialDevice(path) ? ", kernel serial device" : ", not a kernel serial device"
        }
        return check
    }

    /// Present, a character device, and readable and writable by this user.
    static func deviceFile(_ path: String, area: String, name: String, missingFix: String, required: Bool) -> DoctorCheck {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let found = "\(path): \(String(cString: strerror(errno)))"
            return required ? .fail(area, name, found, fix: missingFix) : .warn(area, name, found, fix: missingFix)
        }
        guard status.st_mode & S_IFMT == S_IFCHR else {
            let found = "\(path) is not a character device"
            return required ? .fail(area, name, found, fix: missingFix) : .warn(area, name, found, fix: missingFix)
        }
        guard access(path, R_OK | W_OK) == 0 else {
            let found = "\(path): permission denied for uid \(getuid())"
            return required ? .fail(area, name, found, fix: groupFix) : .warn(area, name, found, fix: groupFix)
        }
        return .ok(area, name, "\(path) readable and writable")
    }
}
