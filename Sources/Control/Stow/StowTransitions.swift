/// What the cycle does with an event in a state.
public enum StowTransition: Equatable, Sendable {
    /// Go to a state.
    case go(StowState)
    /// Nothing to do: the event is expected here and changes nothing.
    case stay
    /// The event makes no sense here; it is logged as refused and the state stays.
    case refuse
}

/// The stow cycle as a table of states x events. Every pair is written out: there is no
/// `default`, so adding a state or an event does not compile until every pair is decided.
public enum StowTransitions {
    public static func next(_ state: StowState, _ event: StowEvent) -> StowTransition {
        // A fault or an e-stop stops everything from anywhere but the safe stop itself.
        if event == .fault {
            return state == .safeStop ? .stay : .go(.safeStop)
        }
        switch state {
        case .idle:
            switch event {
            case .start: return .go(.awaitItem)
            case .reset, .acknowledged: return .stay
            case .itemReady, .binChosen, .noBinFits, .gripped, .itemLost, .armArrived, .bandsOpen, .spaceMade, .forceLimit,
                 .itemInserted, .jam, .retracted, .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .sidelined, .timeout, .fault:
                return .refuse
            }
        case .awaitItem:
            switch event {
            case .itemReady: return .go(.selectBin)
            case .timeout, .start, .armArrived: return .stay  // no item yet: keep waiting
            case .binChosen, .noBinFits, .gripped, .itemLost, .bandsOpen, .spaceMade, .forceLimit, .itemInserted, .jam,
                 .retracted, .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .selectBin:
            switch event {
            case .binChosen: return .go(.grasp)
            case .noBinFits, .timeout: return .go(.sideline)
            case .itemLost: return .go(.record)
            case .start, .itemReady, .gripped, .armArrived, .bandsOpen, .spaceMade, .forceLimit, .itemInserted, .jam, .retracted,
                 .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .grasp:
            switch event {
            case .gripped: return .go(.approach)
            case .timeout: return .go(.sideline)
            case .itemLost: return .go(.record)
            case .start, .itemReady, .binChosen, .noBinFits, .armArrived, .bandsOpen, .spaceMade, .forceLimit, .itemInserted, .jam,
                 .retracted, .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .approach:
            switch event {
            case .armArrived: return .go(.separateBands)
            case .itemLost: return .go(.safeHold)
            case .timeout: return .go(.backOff)
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .bandsOpen, .spaceMade, .forceLimit, .itemInserted, .jam,
                 .retracted, .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .separateBands:
            switch event {
            case .bandsOpen: return .go(.makeSpace)
            case .timeout: return .go(.backOff)
            case .itemLost: return .go(.safeHold)
            case .armArrived: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .spaceMade, .forceLimit, .itemInserted, .jam, .retracted,
                 .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .makeSpace:
            switch event {
            case .spaceMade: return .go(.insert)
            case .forceLimit, .timeout: return .go(.backOff)
            case .itemLost: return .go(.safeHold)
            case .armArrived, .bandsOpen: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .itemInserted, .jam, .retracted, .verifiedPlaced,
                 .verifiedLost, .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .insert:
            switch event {
            case .itemInserted: return .go(.retract)
            case .jam, .timeout: return .go(.backOff)
            case .itemLost: return .go(.retract)  // it left the jaws early: verification decides
            case .armArrived, .bandsOpen, .forceLimit: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .spaceMade, .retracted, .verifiedPlaced, .verifiedLost,
                 .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .retract:
            switch event {
            case .retracted: return .go(.verify)
            case .timeout: return .go(.safeHold)
            case .armArrived, .itemLost, .bandsOpen: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .spaceMade, .forceLimit, .itemInserted, .jam, .verifiedPlaced,
                 .verifiedLost, .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .verify:
            switch event {
            case .verifiedPlaced: return .go(.record)
            case .verifiedLost: return .go(.safeHold)
            case .timeout: return .go(.record)  // recorded as unverified
            case .armArrived, .itemLost: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .bandsOpen, .spaceMade, .forceLimit, .itemInserted, .jam,
                 .retracted, .recorded, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .record:
            switch event {
            case .recorded: return .go(.awaitItem)
            case .timeout, .armArrived, .itemLost: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .bandsOpen, .spaceMade, .forceLimit, .itemInserted, .jam,
                 .retracted, .verifiedPlaced, .verifiedLost, .backedOff, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .backOff:
            switch event {
            case .backedOff: return .go(.selectBin)
            case .noBinFits: return .go(.sideline)
            case .itemLost: return .go(.safeHold)
            case .timeout: return .go(.safeHold)
            case .armArrived, .jam, .forceLimit, .bandsOpen: return .stay
            case .start, .itemReady, .binChosen, .gripped, .spaceMade, .itemInserted, .retracted, .verifiedPlaced, .verifiedLost,
                 .recorded, .sidelined, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .sideline:
            switch event {
            case .sidelined: return .go(.record)
            case .timeout: return .go(.safeHold)
            case .armArrived, .itemLost: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .bandsOpen, .spaceMade, .forceLimit, .itemInserted, .jam,
                 .retracted, .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .acknowledged, .reset, .fault:
                return .refuse
            }
        case .safeHold:
            switch event {
            case .acknowledged: return .go(.record)
            case .timeout, .armArrived, .itemLost, .jam, .forceLimit: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .bandsOpen, .spaceMade, .itemInserted, .retracted,
                 .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .sidelined, .reset, .fault:
                return .refuse
            }
        case .safeStop:
            switch event {
            case .reset: return .go(.record)
            case .fault, .timeout, .armArrived, .itemLost, .jam, .forceLimit, .acknowledged: return .stay
            case .start, .itemReady, .binChosen, .noBinFits, .gripped, .bandsOpen, .spaceMade, .itemInserted, .retracted,
                 .verifiedPlaced, .verifiedLost, .recorded, .backedOff, .sidelined:
                return .refuse
            }
        }
    }
}
