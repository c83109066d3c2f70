import CSerialPort

/// One serial port the system knows, as libserialport enumerates it (`sp_list_ports`).
///
/// USB adapters carry vendor/product IDs and usually a serial number, which is how config names a
/// port that must survive re-plugging (`/dev/ttyUSB0` today may be `/dev/ttyUSB1` tomorrow).
/// Pseudo-terminals are never listed: libserialport only knows ports with a /sys/class/tty device.
public struct SerialPortInfo: Equatable, Codable, Sendable {
    public enum Transport: String, Codable, Sendable {
        case native
        case usb
        case bluetooth
    }

    /// The device file (`/dev/ttyUSB0`).
    public var path: String
    /// libserialport's one-line description (`FT232R USB UART - FT232R USB UART`).
    public var portDescription: String
    public var transport: Transport
    public var usbVendorID: Int?
    public var usbProductID: Int?
    public var usbSerialNumber: String?
    public var usbProduct: String?
    public var usbManufacturer: String?

    public init(
        path: String, portDescription: String, transport: Transport, usbVendorID: Int? = nil,
        usbProductID: Int? = nil, usbSerialNumber: String? = nil, usbProduct: String? = nil,
        usbManufacturer: String? = nil
    ) {
        self.path = path
        self.portDescription = portDescription
        self.transport = transport
        self.usbVendorID = usbVendorID
        self.usbProductID = usbProductID
        self.usbSerialNumber = usbSerialNumber
        self.usbProduct = usbProduct
        self.usbManufacturer = usbManufacturer
    }

    /// `0403:6001`, as lsusb prints it; nil for non-USB ports.
    public var usbVIDPID: String? {
        guard let usbVendorID, let usbProductID else { return nil }
        return hex4(usbVendorID) + ":" + hex4(usbProductID)
    }

    /// `/dev/ttyUSB0 (FT232R USB UART, USB 0403:6001, serial A10K3XYZ)`: one port in a message.
    public var summary: String {
        var parts = [portDescription]
        if let usbVIDPID { parts.append("USB \(usbVIDPID)") }
        if let usbSerialNumber { parts.append("serial \(usbSerialNumber)") }
        return "\(path) (\(parts.joined(separator: ", ")))"
    }

    /// Every serial port present, sorted by path. Empty when there are none.
    ///
    /// The corresponding C function is `sp_list_ports`.
    public static func list() throws -> [SerialPortInfo] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        try LibSerialPortResult.check(sp_list_ports(&list), call: "sp_list_ports", port: "serial ports")
        guard let list else { return [] }
        defer { sp_free_port_list(list) }
        var ports: [SerialPortInfo] = []
        var index = 0
        while let port = list[index] {
            ports.append(SerialPortInfo(port: port))
            index += 1
        }
        return ports.sorted { $0.path < $1.path }
    }

    /// One line naming every port present, for error messages; `none` when there are none.
    public static func presentPortsDescription() -> String {
        guard let ports = try? list() else { return "(could not list serial ports)" }
        if ports.isEmpty {
            return "none (libserialport found no serial ports; pseudo-terminals are never listed)"
        }
        return ports.map(\.summary).joined(separator: ", ")
    }

    /// Reads one port's details. The corresponding C functions are the `sp_get_port_*` getters.
    init(port: OpaquePointer) {
        path = sp_get_port_name(port).map { String(cString: $0) } ?? "?"
        portDescription = sp_get_port_description(port).map { String(cString: $0) } ?? ""
        switch sp_get_port_transport(port) {
        case SP_TRANSPORT_USB: transport = .usb
        case SP_TRANSPORT_BLUETOOTH: transport = .bluetooth
        default: transport = .native
        }
        if transport == .usb {
            var vendor: Int32 = 0
            var product: Int32 = 0
            if sp_get_port_usb_vid_pid(port, &vendor, &product) == SP_OK {
                usbVendorID = Int(vendor)
                usbProductID = Int(product)
            }
            usbSerialNumber = sp_get_port_usb_serial(port).map { String(cString: $0) }
            usbProduct = sp_get_port_usb_product(port).map { String(cString: $0) }
            usbManufacturer = sp_get_port_usb_manufacturer(port).map { String(cString: $0) }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case path
        case portDescription = "description"
        case transport, usbVendorID, usbProductID, usbSerialNumber, usbProduct, usbManufacturer
    }
}

private func hex4(_ value: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
