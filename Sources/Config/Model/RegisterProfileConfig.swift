/// The CiA 402 objects the controller uses, by the names a register profile maps.
public enum CiA402ObjectName: String, CaseIterable, Sendable {
    case controlword
    case statusword
    case modeOfOperation = "mode_of_operation"
    case positionActual = "position_actual"
    case velocityActual = "velocity_actual"
    case targetPosition = "target_position"
    case targetVelocity = "target_velocity"
    case errorCode = "error_code"
    case currentActual = "current_actual"
    case profileVelocity = "profile_velocity"
    case profileAcceleration = "profile_acceleration"
    case profileDeceleration = "profile_deceleration"
    case quickStopDeceleration = "quick_stop_deceleration"

    /// The CiA 402 object index (IEC 61800-7-201).
    public var objectIndex: Int {
        switch self {
        case .controlword: return 0x6040
        case .statusword: return 0x6041
        case .modeOfOperation: return 0x6060
        case .positionActual: return 0x6064
        case .velocityActual: return 0x606C
        case .targetPosition: return 0x607A
        case .targetVelocity: return 0x60FF
        case .errorCode: return 0x603F
        case .currentActual: return 0x6078
        case .profileVelocity: return 0x6081
        case .profileAcceleration: return 0x6083
        case .profileDeceleration: return 0x6084
        case .quickStopDeceleration: return 0x6085
        }
    }

    /// Modbus registers the object occupies: 32-bit objects take two, high word first.
    public var registerCount: Int {
        switch self {
        case .positionActual, .velocityActual, .targetPosition, .targetVelocity,
             .profileVelocity, .profileAcceleration, .profileDeceleration, .quickStopDeceleration:
            return 2
        case .controlword, .statusword, .modeOfOperation, .errorCode, .currentActual:
            return 1
        }
    }
}

/// A drive's Modbus register map: which holding register holds each CiA 402 object.
public struct RegisterProfileConfig: Equatable, Sendable {
    public var name: String
    public var addresses: [CiA402ObjectName: Int]

    /// The shipped profile: the holding-register address equals the CiA 402 object index.
    public static let cia402Direct = RegisterProfileConfig(
        name: "cia402-direct",
        addresses: Dictionary(uniqueKeysWithValues: CiA402ObjectName.allCases.map { ($0, $0.objectIndex) }))

    public static let builtIn: [RegisterProfileConfig] = [cia402Direct]
}

extension RegisterProfileConfig {
    /// A custom profile maps every object to a holding-register address.
    static func read(name: String, _ node: ConfigNode) -> RegisterProfileConfig? {
        guard let map = node.mapping() else { return nil }
        var addresses: [CiA402ObjectName: Int] = [:]
        for object in CiA402ObjectName.allCases {
            if let address = map.required(object.rawValue)?.int(in: 0...0xFFFF - object.registerCount + 1) {
                addresses[object] = address
            }
        }
        map.finish()
        guard addresses.count == CiA402ObjectName.allCases.count else { return nil }
        return RegisterProfileConfig(name: name, addresses: addresses)
    }
}
