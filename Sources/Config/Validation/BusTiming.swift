/// How long one cyclic exchange with every drive on a bus takes on the wire.
///
/// The model, per drive and cycle, matches `ModbusCiA402Drive.exchange` in HAL: the setpoint
/// objects (controlword, and the target of the active mode) are written and the feedback objects
/// (error code, statusword, position, velocity, current) are read. Objects at consecutive register addresses travel in one request; a write run and a
/// read run share one read/write-multiple request (FC 0x17). Every request is preceded by a
/// 3.5-character silence (fixed 1.75 ms above 19200 baud, Modbus over Serial Line v1.02
/// section 2.5.1.1) and its reply starts after the drive's turnaround.
public enum BusTiming {
    static let setpointObjects: [CiA402ObjectName] = [.controlword, .targetVelocity]
    static let feedbackObjects: [CiA402ObjectName] = [.errorCode, .statusword, .positionActual, .velocityActual, .currentActual]

    /// The inter-frame silence in ms: 3.5 character times, or 1.75 ms above 19200 baud.
    public static func interFrameGapMS(bus: BusConfig) -> Double {
        bus.baud > 19200 ? 1.75 : 3.5 * characterMS(bus: bus)
    }

    public static func characterMS(bus: BusConfig) -> Double {
        Double(bus.bitsPerCharacter) * 1000 / Double(bus.baud)
    }

    /// Register runs (consecutive addresses) needed to move `objects` with `profile`.
    public static func runs(of objects: [CiA402ObjectName], in profile: RegisterProfileConfig) -> [ClosedRange<Int>] {
        let registers = objects.flatMap { object -> [Int] in
            guard let address = profile.addresses[object] else { return [] }
            return Array(address..<(address + object.registerCount))
        }.sorted()
        var runs: [ClosedRange<Int>] = []
        for register in registers {
            if let last = runs.last, last.upperBound + 1 == register {
                runs[runs.count - 1] = last.lowerBound...register
            } else if runs.last?.contains(register) != true {
                runs.append(register...register)
            }
        }
        return runs
    }

    /// Time for one drive's exchange, in ms.
    public static func driveExchangeMS(bus: BusConfig, profile: RegisterProfileConfig) -> Double {
        let writes = runs(of: setpointObjects, in: profile)
        let reads = runs(of: feedbackObjects, in: profile)
        var bytes = 0
        for index in 0..<max(writes.count, reads.count) {
            let written = index < writes.count ? writes[index].count : 0
            let read = index < reads.count ? reads[index].count : 0
            switch (written, read) {
            case (0, let r):  // FC 0x03: request 8 bytes; reply unit, fc, count, data, CRC
                bytes += 8 + 5 + 2 * r
            case (let w, 0):  // FC 0x10: request unit, fc, addr, qty, count, data, CRC; reply 8
                bytes += 9 + 2 * w + 8
            case let (w, r):  // FC 0x17: request 13 + data; reply 5 + data
                bytes += 13 + 2 * w + 5 + 2 * r
            }
        }
        let transactions = Double(max(writes.count, reads.count))
        return Double(bytes) * characterMS(bus: bus)
            + transactions * (interFrameGapMS(bus: bus) + bus.driveTurnaroundMS)
    }

    /// Time for one full cycle of `drives` on `bus`, in ms.
    public static func cycleMS(bus: BusConfig, drives: [(DriveConfig, RegisterProfileConfig)]) -> Double {
        drives.reduce(0) { $0 + driveExchangeMS(bus: bus, profile: $1.1) }
    }
}
