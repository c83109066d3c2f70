import Testing

@testable import HAL

/// The register map: addresses, value encoding, and how objects are grouped into requests.
@Suite struct RegisterProfileTests {
    private let direct = RegisterProfile.cia402Direct

    @Test func directProfilePutsEveryObjectAtItsIndexWithItsNaturalWidth() {
        for object in CiA402Object.allCases {
            #expect(direct.location(of: object).address == object.rawValue)
        }
        #expect(direct.location(of: .controlword).width == .bits16)
        #expect(direct.location(of: .modesOfOperation).width == .bits16)
        #expect(direct.location(of: .currentActualValue).width == .bits16)
        #expect(direct.location(of: .positionActualValue).width == .bits32)
        #expect(direct.location(of: .targetVelocity).width == .bits32)
        #expect(direct.location(of: .profileAcceleration).width == .bits32)
        #expect(RegisterProfile.builtIn(named: "cia402-direct")?.name == "cia402-direct")
        #expect(RegisterProfile.builtIn(named: "cia402-vendor") == nil)
    }

    @Test func directProfileFlagsTheOverlappingRampObjects() {
        #expect(direct.overlappingObjects == [.profileAcceleration, .profileDeceleration, .quickStopDeceleration])
        for object in CiA402Object.allCases {
            #expect(direct.isOverlapping(object) == direct.overlappingObjects.contains(object))
        }
    }

    @Test func ordinalsNumberTheObjectsInDeclarationOrder() {
        #expect(CiA402Object.allCases.count == CiA402Object.count)
        for (index, object) in CiA402Object.allCases.enumerated() {
            #expect(object.ordinal == index)
            #expect(CiA402Object(ordinal: index) == object)
        }
    }

    @Test func objectSetsAndValuesHoldExactlyWhatWasPutIn() {
        var set = CiA402ObjectSet()
        #expect(set.isEmpty)
        set.insert(.targetVelocity)
        set.insert(.errorCode)
        set.insert(.targetVelocity)
        #expect(Array(set) == [.errorCode, .targetVelocity])
        #expect(set.contains(.errorCode) && !set.contains(.statusword))

        var values = CiA402ObjectValues()
        #expect(values[.statusword] == nil)
        values[.statusword] = 0x0237
        values[.targetPosition] = -100_000
        values[.targetVelocity] = Int64(Int32.max)
        #expect(values[.statusword] == 0x0237)
        #expect(values[.targetPosition] == -100_000)
        #expect(values[.targetVelocity] == Int64(Int32.max))
        #expect(values[.controlword] == nil)
        #expect(Array(values.objects) == [.statusword, .targetPosition, .targetVelocity])
        values[.targetPosition] = nil
        #expect(values[.targetPosition] == nil)
        #expect(Array(values.objects) == [.statusword, .targetVelocity])
    }

    @Test func thirtyTwoBitValuesGoHighWordFirst() throws {
        #expect(try direct.encode(100_000, for: .targetPosition) == [0x0001, 0x86A0])
        #expect(try direct.encode(-2, for: .targetVelocity) == [0xFFFF, 0xFFFE])
        #expect(direct.decode([0x0001, 0x86A0], for: .positionActualValue) == 100_000)
        #expect(direct.decode([0xFFFF, 0xFFFE], for: .velocityActualValue) == -2)
        #expect(direct.decode([0xFFFF, 0xFFFF], for: .profileVelocity) == 0xFFFF_FFFF)
    }

    @Test func encodingIntoABufferAppendsWhatEncodeReturnsAndNothingOnARefusal() throws {
        var registers: [UInt16] = [0xAAAA]
        try direct.encode(100_000, for: .targetPosition, appendingTo: &registers)
        try direct.encode(0x000F, for: .controlword, appendingTo: &registers)
        #expect(registers == [0xAAAA, 0x0001, 0x86A0, 0x000F])
        #expect(throws: HALError.self) { try direct.encode(-1, for: .controlword, appendingTo: &registers) }
        #expect(throws: HALError.self) { try direct.checkFits(128, for: .modesOfOperation) }
        #expect(registers == [0xAAAA, 0x0001, 0x86A0, 0x000F])
        #expect(direct.decode([0xAAAA, 0x0001, 0x86A0, 0x000F][...], at: 1, for: .positionActualValue) == 100_000)
    }

    @Test func sixteenBitValuesKeepTheirSignedness() throws {
        #expect(try direct.encode(-1, for: .modesOfOperation) == [0xFFFF])
        #expect(direct.decode([0xFFFF], for: .modesOfOperation) == -1)
        #expect(direct.decode([0xFC18], for: .currentActualValue) == -1000)
        #expect(direct.decode([0xFC18], for: .statusword) == 0xFC18)
    }

    @Test func valuesOutsideTheObjectTypeAreRefused() {
        #expect(throws: HALError.self) { try direct.encode(128, for: .modesOfOperation) }
        #expect(throws: HALError.self) { try direct.encode(-1, for: .controlword) }
        #expect(throws: HALError.self) { try direct.encode(Int64(Int32.max) + 1, for: .targetPosition) }
        #expect(throws: HALError.self) { try direct.encode(-1, for: .profileVelocity) }
    }

    @Test func feedbackReadsBridgeTheControlwordBetweenErrorCodeAndStatusword() {
        let spans = direct.readSpans(covering: [.errorCode, .statusword, .positionActualValue, .velocityActualValue, .currentActualValue])
        #expect(spans.map(\.address) == [0x603F, 0x6064, 0x606C, 0x6078])
        #expect(spans.map(\.count) == [3, 2, 2, 1])
        #expect(spans[0].objects == [.errorCode, .controlword, .statusword])
    }

    @Test func writesNeverBridgeOverObjectsNobodyAskedToWrite() {
        let spans = direct.writeSpans(covering: [.errorCode, .statusword])
        #expect(spans.map(\.objects) == [[.errorCode], [.statusword]])
    }

    @Test func overlappingObjectsAreAlwaysAccessedAlone() {
        let spans = direct.writeSpans(covering: [.profileVelocity, .profileAcceleration, .profileDeceleration, .quickStopDeceleration])
        #expect(spans.map(\.objects) == [[.profileVelocity], [.profileAcceleration], [.profileDeceleration], [.quickStopDeceleration]])
        #expect(spans.allSatisfy { $0.count == 2 })
    }

    @Test func aVendorProfileWithContiguousFeedbackReadsItInOneSpan() throws {
        // Feedback block at 100..., set-points at 200...: a typical vendor Modbus map.
        let layout: [(CiA402Object, UInt16, RegisterWidth)] = [
            (.statusword, 100, .bits16), (.errorCode, 101, .bits16), (.positionActualValue, 102, .bits32),
            (.velocityActualValue, 104, .bits32), (.currentActualValue, 106, .bits16),
            (.targetPosition, 200, .bits32), (.targetVelocity, 202, .bits32), (.modesOfOperation, 204, .bits16),
            (.controlword, 205, .bits16), (.profileVelocity, 300, .bits32), (.profileAcceleration, 302, .bits32),
            (.profileDeceleration, 304, .bits32), (.quickStopDeceleration, 306, .bits32),
        ]
        var locations: [CiA402Object: RegisterLocation] = [:]
        for (object, address, width) in layout {
            locations[object] = RegisterLocation(address: address, width: width)
        }
        let vendor = try RegisterProfile(name: "vendor", locations: locations)
        #expect(vendor.overlappingObjects.isEmpty)
        let reads = vendor.readSpans(covering: [.errorCode, .statusword, .positionActualValue, .velocityActualValue, .currentActualValue])
        #expect(reads == [RegisterSpan(
            address: 100, count: 7,
            objects: [.statusword, .errorCode, .positionActualValue, .velocityActualValue, .currentActualValue])])
        let writes = vendor.writeSpans(covering: [.targetVelocity, .modesOfOperation, .controlword])
        #expect(writes == [RegisterSpan(address: 202, count: 4, objects: [.targetVelocity, .modesOfOperation, .controlword])])
    }

    @Test func aProfileMissingAnObjectIsRefusedNamingIt() {
        var locations = RegisterProfile.cia402Direct.locations
        locations[.currentActualValue] = nil
        let error = #expect(throws: HALError.self) { try RegisterProfile(name: "broken", locations: locations) }
        #expect(error?.cause == .invalidRequest("no register for 0x6078 current-actual"))
    }

    @Test func scalingConvertsCountsAndPerMille() {
        let scaling = DriveScaling(countsPerMM: 1000, ratedCurrentMilliamps: 2500)
        #expect(scaling.problem == nil)
        #expect(scaling.counts(fromMM: 12.3456) == 12_346)
        #expect(scaling.millimeters(fromCounts: -1500) == -1.5)
        #expect(scaling.milliamps(fromPerMille: 400) == 1000)
        #expect(scaling.counts(fromMM: .infinity) == nil)
        #expect(DriveScaling(countsPerMM: 0, ratedCurrentMilliamps: 1).problem != nil)
        #expect(DriveScaling(countsPerMM: 1, ratedCurrentMilliamps: 0).problem != nil)
    }

    @Test func errorCodesHaveMeaningsDownToTheirClass() {
        #expect(CiA402ErrorCode(code: 0x2310).meaning == "continuous over-current")
        #expect(CiA402ErrorCode(code: 0x8611).description == "0x8611: following error (axis blocked or overloaded?)")
        #expect(CiA402ErrorCode(code: 0x2311).meaning == "current on the device output side (0x2311)")
        #expect(CiA402ErrorCode(code: 0x4999).meaning == "temperature (0x4999)")
        #expect(CiA402ErrorCode(code: 0xA123).meaning.hasPrefix("unknown error code 0xA123"))
    }
}
