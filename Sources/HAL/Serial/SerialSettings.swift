/// Line settings of one serial port: baud rate, parity and stop bits. Data bits are always 8.
///
/// Shared by every serial backend (`TermiosPort`, the libserialport backend) so that config says
/// `baud: 115200, parity: even, stop_bits: 1` once and every backend means the same line.
/// Eight data bits are fixed because Modbus RTU requires them, and nothing else on this robot
/// speaks serial. There is no flow control: RS-485 has no handshake lines.
public struct SerialSettings: Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Parity: String, Sendable, CaseIterable {
        case none
        case even
        case odd
    }

    public enum StopBits: Int, Sendable, CaseIterable {
        case one = 1
        case two = 2
    }

    public var baud: Int
    public var parity: Parity
    public var stopBits: StopBits

    /// The Modbus serial-line default is 19200 baud, even parity; this robot's drives run faster.
    public init(baud: Int = 115_200, parity: Parity = .none, stopBits: StopBits = .one) {
        self.baud = baud
        self.parity = parity
        self.stopBits = stopBits
    }

    /// The baud rates the backends accept. Anything else is a config error, caught at open time.
    public static let standardBaudRates: [Int] = [
        1200, 2400, 4800, 9600, 19200, 38400, 57600, 115_200, 230_400, 460_800, 500_000, 576_000, 921_600,
    ]

    /// Bits on the wire for one byte: start bit, 8 data bits, optional parity bit, stop bits.
    public var bitsPerCharacter: Int {
        1 + 8 + (parity == .none ? 0 : 1) + stopBits.rawValue
    }

    /// How long one byte takes on the wire, in nanoseconds.
    public var characterTimeNanoseconds: UInt64 {
        guard baud > 0 else { return 0 }
        return UInt64(bitsPerCharacter) * 1_000_000_000 / UInt64(baud)
    }

    /// The silence a Modbus RTU master keeps between frames (t3.5): 3.5 character times, but a
    /// fixed 1750 µs above 19200 baud, as the Modbus serial line spec (v1.02, 2.5.1.1) requires so
    /// that slow slave UART interrupts still see the gap.
    public var modbusInterFrameGapNanoseconds: UInt64 {
        if baud > 19200 {
            return 1_750_000
        }
        return characterTimeNanoseconds * 7 / 2
    }

    /// `115200 8N1`, `19200 8E1`: the usual way a line is written on a label or in a log.
    public var description: String {
        let parityLetter: String
        switch parity {
        case .none: parityLetter = "N"
        case .even: parityLetter = "E"
        case .odd: parityLetter = "O"
        }
        return "\(baud) 8\(parityLetter)\(stopBits.rawValue)"
    }
}
