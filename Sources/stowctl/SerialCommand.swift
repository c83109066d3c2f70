import ArgumentParser
import Foundation
import HAL

/// `stowctl serial list`: bench tools for serial ports, through the libserialport backend.
struct SerialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serial",
        abstract: "Bench tools for serial ports: list the ports and USB serial adapters present.",
        discussion: """
            The drive bus is RS-485, usually through a USB adapter. Its /dev/ttyUSBn number can \
            change when adapters are re-plugged, so config can name a bus by the adapter's USB \
            serial number (usb_serial: ...) instead of its path; `stowctl serial list` shows the \
            numbers to put there.
            """,
        subcommands: [SerialListCommand.self]
    )
}

/// `stowctl serial list [--json]`
struct SerialListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List serial ports: path, transport, USB VID:PID, serial number, product, manufacturer.",
        discussion: """
            Lists what libserialport finds: every tty with a serial device behind it in \
            /sys/class/tty (on-board UARTs, USB serial adapters, Bluetooth serial). \
            Pseudo-terminals (/dev/pts/N) are never listed; the simulator's ports are ptys and \
            are opened with the termios backend instead. Nothing is opened: listing never \
            changes a port's settings.

            With --json, prints [{"path", "description", "transport", "usbVendorID", \
            "usbProductID", "usbSerialNumber", "usbProduct", "usbManufacturer"}]; USB fields \
            are missing for other ports. Exit status: 0, also when there are no ports; 1 when \
            the ports could not be listed.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try global.bootstrapLogging()
        let ports: [SerialPortInfo]
        do {
            ports = try SerialPortInfo.list()
        } catch let error as HALError {
            printToStderr("error: \(error)")
            throw ExitCode.failure
        }
        if json {
            printBenchJSON(ports)
            return
        }
        if ports.isEmpty {
            printToStderr("no serial ports found (pseudo-terminals are never listed)")
            return
        }
        for port in ports {
            print(Self.row(port))
        }
    }

    /// `/dev/ttyUSB0  usb     0403:6001  serial=A10K3XYZ  "FT232R USB UART" (FTDI)`
    private static func row(_ port: SerialPortInfo) -> String {
        var fields = [port.path.padding(toLength: 14, withPad: " ", startingAt: 0),
                      port.transport.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)]
        if port.transport == .usb {
            fields.append(port.usbVIDPID ?? "????:????")
            fields.append("serial=\(port.usbSerialNumber ?? "(none)")")
            fields.append("\"\(port.usbProduct ?? port.portDescription)\"")
            if let manufacturer = port.usbManufacturer {
                fields.append("(\(manufacturer))")
            }
        } else {
            fields.append(port.portDescription)
        }
        return fields.joined(separator: " ")
    }
}
