import Testing

@testable import HAL

/// Statusword → state, with the standard's masks; the other bits never change the answer.
@Suite struct CiA402StateTests {
    /// The state coding table of CiA 402-2, with the bits that do not matter for each state zero.
    static let coding: [(statusword: UInt16, state: CiA402State, name: String)] = [
        (0x0000, .notReadyToSwitchOn, "not_ready_to_switch_on"),
        (0x0040, .switchOnDisabled, "switch_on_disabled"),
        (0x0021, .readyToSwitchOn, "ready_to_switch_on"),
        (0x0023, .switchedOn, "switched_on"),
        (0x0027, .operationEnabled, "operation_enabled"),
        (0x0007, .quickStopActive, "quick_stop_active"),
        (0x000F, .faultReactionActive, "fault_reaction_active"),
        (0x0008, .fault, "fault"),
    ]

    @Test func everyStateDecodesFromItsStandardBitsAndHasItsSnakeCaseName() {
        for entry in Self.coding {
            #expect(CiA402State(statusword: entry.statusword) == entry.state, "\(entry.name)")
            #expect(entry.state.name == entry.name)
            #expect(CiA402State(name: entry.name) == entry.state)
        }
        #expect(Set(Self.coding.map(\.state)).count == CiA402State.allCases.count)
    }

    @Test func bitsOutsideTheMaskDoNotChangeTheState() {
        // Voltage enabled, warning, remote, target reached, internal limit, mode-specific, vendor.
        let noise: [UInt16] = [0x0010, 0x0080, 0x0200, 0x0400, 0x0800, 0x1000, 0x2000, 0xC000, 0xFE90]
        for entry in Self.coding {
            for extra in noise {
                #expect(CiA402State(statusword: entry.statusword | extra) == entry.state, "\(entry.name) | \(extra)")
            }
        }
    }

    @Test func quickStopBitIsIgnoredWhereTheMaskIs4F() {
        #expect(CiA402State(statusword: 0x0060) == .switchOnDisabled)
        #expect(CiA402State(statusword: 0x0028) == .fault)
        #expect(CiA402State(statusword: 0x002F) == .faultReactionActive)
        #expect(CiA402State(statusword: 0x0020) == .notReadyToSwitchOn)
    }

    @Test func typicalDriveStatuswordsDecode() {
        #expect(CiA402State(statusword: 0x0250) == .switchOnDisabled)
        #expect(CiA402State(statusword: 0x0231) == .readyToSwitchOn)
        #expect(CiA402State(statusword: 0x0233) == .switchedOn)
        #expect(CiA402State(statusword: 0x1637) == .operationEnabled)
        #expect(CiA402State(statusword: 0x0218) == .fault)
    }

    @Test func patternsMatchingNoStateAreRejected() {
        // Ready/switched on/enabled bits without the quick stop bit 5, or with bit 6 set.
        for word: UInt16 in [0x0001, 0x0003, 0x0061, 0x0063, 0x0067, 0x0004, 0x0002] {
            #expect(CiA402State(statusword: word) == nil, "0x\(String(word, radix: 16))")
        }
    }

    @Test func onlyTheFaultStatesAreFaults() {
        #expect(CiA402State.allCases.filter(\.isFault) == [.faultReactionActive, .fault])
    }
}
