import Config
import Control
import Testing

/// The stow cycle's table: every state x event decided, the normal path and the abort paths.
@Suite("Stow transition table")
struct StowTransitionTests {
    @Test("each state named like a config phase takes that phase's timeout; the abort and bookkeeping states take none")
    func statePhases() {
        for state in StowState.allCases {
            #expect(state.phase == StowPhase(rawValue: state.rawValue), "\(state)")
        }
    }

    @Test("a safety fault leads every state but the safe stop to the safe stop")
    func faultFromAnywhere() {
        for state in StowState.allCases where state != .safeStop {
            #expect(StowTransitions.next(state, .fault) == .go(.safeStop), "\(state)")
        }
        #expect(StowTransitions.next(.safeStop, .fault) == .stay)
    }

    @Test("the normal path runs idle to record and back to awaiting an item")
    func normalPath() {
        let path: [(StowState, StowEvent, StowState)] = [
            (.idle, .start, .awaitItem), (.awaitItem, .itemReady, .selectBin), (.selectBin, .binChosen, .grasp),
            (.grasp, .gripped, .approach), (.approach, .armArrived, .separateBands), (.separateBands, .bandsOpen, .makeSpace),
            (.makeSpace, .spaceMade, .insert), (.insert, .itemInserted, .retract), (.retract, .retracted, .verify),
            (.verify, .verifiedPlaced, .record), (.record, .recorded, .awaitItem),
        ]
        for (from, event, to) in path {
            #expect(StowTransitions.next(from, event) == .go(to), "\(from) -\(event)->")
        }
    }

    @Test("abort paths: back off and retry, sideline, safe hold until acknowledged, safe stop until reset")
    func abortPaths() {
        #expect(StowTransitions.next(.insert, .jam) == .go(.backOff))
        #expect(StowTransitions.next(.makeSpace, .forceLimit) == .go(.backOff))
        #expect(StowTransitions.next(.backOff, .backedOff) == .go(.selectBin))
        #expect(StowTransitions.next(.backOff, .noBinFits) == .go(.sideline))
        #expect(StowTransitions.next(.selectBin, .noBinFits) == .go(.sideline))
        #expect(StowTransitions.next(.sideline, .sidelined) == .go(.record))
        #expect(StowTransitions.next(.approach, .itemLost) == .go(.safeHold))
        #expect(StowTransitions.next(.verify, .verifiedLost) == .go(.safeHold))
        #expect(StowTransitions.next(.safeHold, .timeout) == .stay, "a person must acknowledge")
        #expect(StowTransitions.next(.safeHold, .acknowledged) == .go(.record))
        #expect(StowTransitions.next(.safeStop, .reset) == .go(.record))
    }

    @Test("every phase with a config timeout leaves on timeout; events that make no sense are refused")
    func timeoutsAndRefusals() {
        for state in StowState.allCases where state.phase != nil && state != .awaitItem {
            if case .go = StowTransitions.next(state, .timeout) {} else {
                Issue.record("\(state) does not leave on timeout")
            }
        }
        #expect(StowTransitions.next(.idle, .jam) == .refuse)
        #expect(StowTransitions.next(.awaitItem, .verifiedPlaced) == .refuse)
        #expect(StowTransitions.next(.record, .start) == .refuse)
    }

    @Test("every state x event pair has a decision")
    func everyPairDecided() {
        var decided = 0
        for state in StowState.allCases {
            for event in StowEvent.allCases {
                switch StowTransitions.next(state, event) {
                case .go, .stay, .refuse: decided += 1
                }
            }
        }
        #expect(decided == StowState.allCases.count * StowEvent.allCases.count)
    }
}
