import Testing

@testable import HAL

/// Controlword commands and the walk through the power state machine.
@Suite struct CiA402ControlwordTests {
    @Test func commandsHaveTheStandardBitPatterns() {
        #expect(CiA402Controlword.shutdown.rawValue == 0x0006)
        #expect(CiA402Controlword.switchOn.rawValue == 0x0007)
        #expect(CiA402Controlword.enableOperation.rawValue == 0x000F)
        #expect(CiA402Controlword.disableVoltage.rawValue == 0x0000)
        #expect(CiA402Controlword.quickStop.rawValue == 0x0002)
        #expect(CiA402Controlword.disableOperation.rawValue == 0x0007)
        #expect(CiA402Controlword.faultReset.rawValue == 0x0080)
    }

    @Test func setpointBitsAreAddedAndRemovedWithoutTouchingTheCommand() {
        let word = CiA402Controlword.enableOperation.withNewSetpoint()
        #expect(word.rawValue == 0x001F)
        #expect(word.withNewSetpoint(false) == .enableOperation)
        #expect(word.withChangeSetImmediately().rawValue == 0x003F)
        #expect(CiA402Controlword.enableOperation.withHalt().rawValue == 0x010F)
        #expect(word.description == "0x001F")
    }

    /// Applies a command the way CiA 402-2's transition table does, for walking in tests.
    private func transition(_ state: CiA402State, _ word: CiA402Controlword) -> CiA402State {
        let bits = word.rawValue & 0x000F
        let disableVoltage = bits & 0x2 == 0
        let quickStop = !disableVoltage && bits & 0x4 == 0
        let shutdown = !disableVoltage && !quickStop && bits & 0x1 == 0
        let switchOn = !disableVoltage && !quickStop && !shutdown && bits & 0x8 == 0
        let enable = !disableVoltage && !quickStop && !shutdown && !switchOn
        switch state {
        case .switchOnDisabled: return shutdown ? .readyToSwitchOn : state
        case .readyToSwitchOn:
            if switchOn { return .switchedOn }
            if enable { return .operationEnabled }
            if disableVoltage || quickStop { return .switchOnDisabled }
            return state
        case .switchedOn:
            if enable { return .operationEnabled }
            if shutdown { return .readyToSwitchOn }
            if disableVoltage || quickStop { return .switchOnDisabled }
            return state
        case .operationEnabled:
            if switchOn { return .switchedOn }
            if shutdown { return .readyToSwitchOn }
            if disableVoltage { return .switchOnDisabled }
            if quickStop { return .quickStopActive }
            return state
        case .quickStopActive: return disableVoltage ? .switchOnDisabled : state
        case .notReadyToSwitchOn, .faultReactionActive, .fault: return state
        }
    }

    /// Follows `next` until it arrives; returns the states passed and the words sent.
    private func walk(from start: CiA402State, toward target: CiA402Target) -> (states: [CiA402State], words: [CiA402Controlword]) {
        var state = start
        var states = [start]
        var words: [CiA402Controlword] = []
        for _ in 0..<10 {
            guard case let .send(word) = CiA402Controlword.next(from: state, toward: target) else { break }
            words.append(word)
            state = transition(state, word)
            states.append(state)
        }
        return (states, words)
    }

    @Test func enableWalksShutdownSwitchOnEnableOperation() {
        let result = walk(from: .switchOnDisabled, toward: .operationEnabled)
        #expect(result.words == [.shutdown, .switchOn, .enableOperation])
        #expect(result.states == [.switchOnDisabled, .readyToSwitchOn, .switchedOn, .operationEnabled])
    }

    @Test func disableFromOperationEnabledIsOneDisableVoltage() {
        let result = walk(from: .operationEnabled, toward: .switchOnDisabled)
        #expect(result.words == [.disableVoltage])
        #expect(result.states.last == .switchOnDisabled)
    }

    @Test func everyTargetIsReachedFromEveryStableStateInAtMostThreeSteps() {
        let stable: [CiA402State] = [.switchOnDisabled, .readyToSwitchOn, .switchedOn, .operationEnabled]
        for start in stable {
            for target in CiA402Target.allCases {
                let result = walk(from: start, toward: target)
                #expect(result.states.last == target.state, "\(start.name) → \(target.state.name)")
                #expect(result.words.count <= 3)
                #expect(CiA402Controlword.next(from: target.state, toward: target) == .arrived)
            }
        }
    }

    @Test func goingDownOneLevelUsesTheMatchingCommand() {
        #expect(CiA402Controlword.next(from: .operationEnabled, toward: .switchedOn) == .send(.disableOperation))
        #expect(CiA402Controlword.next(from: .operationEnabled, toward: .readyToSwitchOn) == .send(.shutdown))
        #expect(CiA402Controlword.next(from: .switchedOn, toward: .readyToSwitchOn) == .send(.shutdown))
        #expect(CiA402Controlword.next(from: .readyToSwitchOn, toward: .switchOnDisabled) == .send(.disableVoltage))
    }

    @Test func automaticStatesAreWaitedOut() {
        for target in CiA402Target.allCases {
            #expect(CiA402Controlword.next(from: .notReadyToSwitchOn, toward: target) == .wait)
            #expect(CiA402Controlword.next(from: .faultReactionActive, toward: target) == .wait)
        }
    }

    @Test func faultIsNeverResetByAWalk() {
        for target in CiA402Target.allCases {
            #expect(CiA402Controlword.next(from: .fault, toward: target) == .blockedByFault)
        }
    }

    @Test func quickStopIsLeftWithDisableVoltageGoingDownAndWaitedOutGoingUp() {
        #expect(CiA402Controlword.next(from: .quickStopActive, toward: .switchOnDisabled) == .send(.disableVoltage))
        #expect(CiA402Controlword.next(from: .quickStopActive, toward: .operationEnabled) == .wait)
    }
}
