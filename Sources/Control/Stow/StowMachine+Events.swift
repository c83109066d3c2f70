import Config
import HAL
import Perception

/// Which event, if any, this tick brings: the safety stop, the phase timeout, then the state's
/// own condition. Sets `cause` (and the attempt's verdict when the event decides it).
extension StowMachine {
    /// States outside the config's phases that wait on the machine itself get this long.
    static let mechanicalTimeoutNanoseconds: UInt64 = 10_000_000_000
    /// A pose request is answered no sooner than this (in-position may still show the old pose).
    static let armSettleNanoseconds: UInt64 = 5_000_000

    func nextEvent(now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool) -> StowEvent? {
        cause = ""
        if state == .safeStop {
            guard !safeStopped, takeReset() else { return nil }
            cause = "faults reset"
            return .reset
        }
        if safeStopped {
            cause = "safety stop"
            // An item that already fell out keeps that outcome and its cause (amnesty): the
            // journal says what happened to the item, and the stop is in the attempt's faults.
            if draft?.verdict != .amnesty { decide(.unproductive, "safety stop") }
            return .fault
        }
        let inState = stateEntered.nanoseconds(until: now)
        if let limit = stateTimeoutNanoseconds, inState > limit {
            cause = "\(state.rawValue) timed out after \(limit / 1_000_000) ms" + axisNote(state, drives)
                + (armMoveProblem.map { "; the arm was not asked to move: \($0)" } ?? "")
            decide(.unproductive, cause)
            return .timeout
        }
        let armSettled = inState >= Self.armSettleNanoseconds && inputs.armInPosition
        switch state {
        case .idle:
            return nil
        case .awaitItem:
            // Only at the induct: an item still in the jaws from an aborted attempt is let go
            // there (the jaws open once the arm has arrived, not on the way) and handed over again.
            guard armSettled else { return nil }
            if stage == 0 {
                jaw.move(toMM: travelMaxMM(.jaw))
                stage = 1
            }
            // The jaw drive must hold the jaws open too, not only the switch read open: after a
            // reset the drive walks back to operation enabled one bus cycle per step, and grasp's
            // timeout is for closing the jaws, not for that walk.
            guard inputs.jawOpen, jaw.reached(drives.jaw?.feedback) else { return nil }
            return itemReadyEvent(now: now, inputs: inputs)
        case .selectBin:
            return selectBinEvent(now: now)
        case .grasp:
            guard inputs.itemInJaw else { return lost("item left the jaws at the induct", .unproductive) }
            guard let feedback = drives.jaw?.feedback else { return nil }
            if feedback.currentMilliamps >= config.stow.graspCurrentMA {
                jaw.move(toMM: feedback.positionMM)  // hold here: no more squeeze
                cause = "grip force reached: jaw \(Int(feedback.currentMilliamps)) mA at \(Int(feedback.positionMM)) mm"
                return .gripped
            }
            if jaw.reached(feedback), feedback.currentMilliamps >= config.stow.graspCurrentMA / 2 {
                cause = "soft grip: jaw closed to \(Int(feedback.positionMM)) mm at \(Int(feedback.currentMilliamps)) mA"
                return .gripped
            }
            if jaw.reached(feedback) {
                cause = "no grip force: jaw closed to \(Int(feedback.positionMM)) mm at \(Int(feedback.currentMilliamps)) mA"
                decide(.unproductive, cause)
                return .timeout
            }
            return nil
        case .approach:
            guard inputs.itemInJaw else { return lost("item dropped during the approach", .amnesty) }
            return armSettled ? .armArrived : nil
        case .separateBands:
            return inputs.bandSeparatorDeployed ? .bandsOpen : nil
        case .makeSpace:
            guard let feedback = drives.plank?.feedback else { return nil }
            if feedback.currentMilliamps >= config.stow.makeSpaceCurrentMA {
                cause = "plank force limit: \(Int(feedback.currentMilliamps)) mA at \(Int(feedback.positionMM)) mm"
                decide(.unproductive, cause)
                return .forceLimit
            }
            return plank.reached(feedback) ? .spaceMade : nil
        case .insert:
            return insertEvent(inputs: inputs, drives: drives)
        case .retract:
            return retractEvent(now: now, inputs: inputs, armSettled: armSettled)
        case .verify:
            return verifyEvent()
        case .record:
            return journalCaughtUp ? .recorded : nil
        case .backOff:
            return backOffEvent(now: now, inputs: inputs, drives: drives, armSettled: armSettled)
        case .sideline:
            return sidelineEvent(now: now, inputs: inputs, drives: drives, armSettled: armSettled)
        case .safeHold:
            return takeAcknowledge() ? .acknowledged : nil
        case .safeStop:
            return nil
        }
    }

    /// Grip the item (it may not be gripped yet when no bin fits), carry it to the sideline,
    /// let go there.
    private func sidelineEvent(now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, armSettled: Bool) -> StowEvent? {
        switch stage {
        case 0:
            guard let feedback = drives.jaw?.feedback else { return nil }
            let gripped = feedback.currentMilliamps >= config.stow.graspCurrentMA / 2 || !inputs.itemInJaw
            guard gripped || jaw.reached(feedback) else { return nil }
            jaw.move(toMM: feedback.positionMM)
            armMayMove = true
            requestArmMove(.sideline)
            stateEntered = now
            stage = 1
            return nil
        case 1:
            guard armSettled else { return nil }
            jaw.move(toMM: travelMaxMM(.jaw))
            stage = 2
            return nil
        default:
            guard inputs.jawOpen, !inputs.itemInJaw else { return nil }
            cause = "put down at the sideline"
            return .sidelined
        }
    }

    func timeoutNanoseconds(_ state: StowState) -> UInt64? {
        if let phase = state.phase, let milliseconds = config.stow.timeoutsMS[phase] {
            // Waiting for an item is not a failure; its timeout only re-arms the wait.
            return phase == .awaitItem ? nil : UInt64(milliseconds * 1_000_000)
        }
        switch state {
        case .backOff, .sideline, .record: return Self.mechanicalTimeoutNanoseconds
        default: return nil
        }
    }

    /// The newest observation, if it was published since the last call and its frame was
    /// captured at or after `instant`; nil otherwise. An observation is tens of kilobytes:
    /// copying it out every tick while waiting for the next one was 2 % of a campaign, so an
    /// unchanged publish count answers first. Each observation is looked at once; a state that
    /// waits asks for a frame after it was entered, so no later state needs an earlier one.
    func newObservation(capturedAfter instant: MonotonicInstant) -> PerceptionObservation? {
        let published = environment.perception.publishCount
        guard published != observationsSeen else { return nil }
        observationsSeen = published
        guard let observation = environment.perception.latest(), observation.frameTimestamp >= instant else { return nil }
        return observation
    }

    func decide(_ verdict: StowOutcome, _ why: String) {
        guard draft != nil else { return }
        draft!.verdict = verdict
        draft!.cause = why
    }

    private func lost(_ why: String, _ verdict: StowOutcome) -> StowEvent {
        cause = why
        decide(verdict, why)
        return .itemLost
    }

    private func itemReadyEvent(now: MonotonicInstant, inputs: EOATInputs) -> StowEvent? {
        guard inputs.itemInJaw, let item = try? environment.induct.currentItem() else { return nil }
        guard let requested = perceptionRequestedAt else {
            perceptionRequestedAt = now
            environment.demand.request(after: now)
            return nil
        }
        guard newObservation(capturedAfter: requested) != nil else { return nil }
        draft = StowAttemptDraft(attemptIndex: nextAttemptIndex, item: item, start: now)
        nextAttemptIndex += 1
        cause = "\(item.id) \(item.kind) \(Int(item.widthMM))x\(Int(item.heightMM))x\(Int(item.depthMM)) mm"
        return .itemReady
    }

    private func selectBinEvent(now: MonotonicInstant) -> StowEvent? {
        guard let item = draft?.item else { return nil }
        guard let observation = try? environment.perception.freshObservation(now: now, maxAgeMS: config.safety.perceptionMaxAgeMS) else {
            if !environment.demand.isPending { environment.demand.request(after: now) }
            return nil
        }
        let tried = draft!.binsTried
        var choice = selector.choose(for: item, in: observation, excluding: tried, exploring: false)
        if choice == nil, mayExplore {
            choice = selector.choose(for: item, in: observation, excluding: tried, exploring: true)
        }
        guard let choice else {
            cause = "no bin fits \(Int(item.widthMM))x\(Int(item.heightMM))x\(Int(item.depthMM)) mm" + (tried.isEmpty ? "" : " (tried \(tried.joined(separator: ", ")))")
            decide(.unproductive, cause)
            return .noBinFits
        }
        draft!.choice = choice
        draft!.binsTried.append(choice.binName)
        draft!.exploration = draft!.exploration || choice.exploration
        explorations += choice.exploration ? 1 : 0
        cause = "\(choice.binName) at x \(Int(choice.xMM)) mm" + (choice.pushMM > 0 ? ", push \(Int(choice.pushMM)) mm" : "")
            + (choice.exploration ? " (exploring: margins halved)" : "")
        return .binChosen
    }

    /// Exploration stays under the configured share of attempts.
    private var mayExplore: Bool {
        Double(explorations + 1) <= config.stow.explorationShare * Double(max(nextAttemptIndex, 1))
    }

    private func insertEvent(inputs: EOATInputs, drives: PerDrive<DriveReport?>) -> StowEvent? {
        guard let left = drives.leftBelt?.feedback, let right = drives.rightBelt?.feedback, let draft else { return nil }
        let limit = config.stow.insertCurrentMA
        if max(left.currentMilliamps, right.currentMilliamps) >= limit {
            cause = "belt current \(Int(max(left.currentMilliamps, right.currentMilliamps))) mA >= \(Int(limit)) mA: jammed"
            decide(.unproductive, cause)
            return .jam
        }
        let travelMM = (left.positionMM + right.positionMM) / 2 - draft.beltStartMM
        if travelMM >= draft.item.depthMM + 20 || (!inputs.itemInJaw && travelMM > draft.item.depthMM / 2) {
            cause = "belts moved the item \(Int(travelMM)) mm"
            return .itemInserted
        }
        return nil
    }

    private func retractEvent(now: MonotonicInstant, inputs: EOATInputs, armSettled: Bool) -> StowEvent? {
        switch stage {
        case 0:
            guard inputs.plankHome, inputs.jawOpen, let choice = draft?.choice else { return nil }
            requestArmMove(ArmPose(station: .bin(choice.binName), xMM: choice.xMM, advanceMM: -60))
            stateEntered = now  // the settle wait starts with the request
            stage = 1
            return nil
        case 1:
            guard armSettled else { return nil }
            solenoid = false
            stage = 2
            return nil
        default:
            guard !inputs.bandSeparatorDeployed else { return nil }
            cause = "plank home, jaws open, withdrawn, bands closed"
            return .retracted
        }
    }

    private func verifyEvent() -> StowEvent? {
        guard let requested = perceptionRequestedAt, let choice = draft?.choice,
              let observation = newObservation(capturedAfter: requested),
              let bin = observation.bin(named: choice.binName), let verification = bin.verification else { return nil }
        if verification.itemLeftBin {
            cause = "verification: something left \(choice.binName)"
            decide(.amnesty, cause)
            return .verifiedLost
        }
        if !verification.itemPlaced {
            cause = "verification: no item added to \(choice.binName)"
            decide(.amnesty, cause)
            return .verifiedLost
        }
        cause = "verified in \(choice.binName)" + (verification.protrusion ? " (protruding)" : "")
        decide(.success, "")
        return .verifiedPlaced
    }

    private func backOffEvent(now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, armSettled: Bool) -> StowEvent? {
        guard let draft else { return nil }
        switch stage {
        case 0:
            // Belts pull the item back into the jaws; the plank comes home.
            guard let left = drives.leftBelt?.feedback, let right = drives.rightBelt?.feedback else { return nil }
            let travelMM = (left.positionMM + right.positionMM) / 2 - draft.beltStartMM
            guard travelMM <= 0 || !inputs.itemInJaw, inputs.plankHome else { return nil }
            leftBelt.run(mmPerS: 0)
            rightBelt.run(mmPerS: 0)
            if let choice = draft.choice {
                requestArmMove(ArmPose(station: .bin(choice.binName), xMM: choice.xMM, advanceMM: -60))
            }
            stateEntered = now
            stage = 1
            return nil
        case 1:
            guard armSettled else { return nil }
            solenoid = false
            stage = 2
            return nil
        default:
            guard !inputs.bandSeparatorDeployed else { return nil }
            guard inputs.itemInJaw else { return lost("item lost while backing off", .amnesty) }
            if draft.binsTried.count <= config.stow.maxBinRetries {
                // The next bin is chosen from a frame taken after the bands closed: wait for it
                // here, so select_bin's short timeout covers the decision, not the camera.
                guard let requested = perceptionRequestedAt else {
                    perceptionRequestedAt = now
                    environment.demand.request(after: now)
                    return nil
                }
                guard newObservation(capturedAfter: requested) != nil else { return nil }
                perceptionRequestedAt = nil
            }
            if draft.binsTried.count > config.stow.maxBinRetries {
                cause = "gave up after \(draft.binsTried.count) bins: \(draft.cause)"
                decide(.unproductive, cause)
                return .noBinFits
            }
            cause = "backed off from \(draft.binsTried.last ?? "?") to try another bin"
            return .backedOff
        }
    }

    /// Asks the arm for `pose`. A refusal (the cell link down) is kept for the phase's timeout
    /// cause: the cycle then waits for `arm.in-position` as usual and times out naming it.
    func requestArmMove(_ pose: ArmPose) {
        do {
            try environment.arm.requestMove(to: pose)
            armMoveProblem = nil
        } catch {
            armMoveProblem = "\(error)"
        }
    }

    /// The axis a phase waits on, as a timeout's cause reports it.
    func axisNote(_ state: StowState, _ drives: PerDrive<DriveReport?>) -> String {
        let role: DriveRole
        switch state {
        case .grasp: role = .jaw
        case .makeSpace: role = .plank
        case .insert: role = .leftBelt
        case .backOff, .retract: role = .plank
        default: return ""
        }
        guard let feedback = drives[role]?.feedback else { return "" }
        let stateName = CiA402State(statusword: feedback.statusword)?.name ?? "unknown"
        return " (\(role.rawValue) at \(Int(feedback.positionMM)) mm, \(Int(feedback.currentMilliamps)) mA, \(stateName), "
            + "statusword 0x\(String(feedback.statusword, radix: 16)))"
    }

    func travelMaxMM(_ role: DriveRole) -> Double {
        config.drives.first { $0.role == role }?.limits.travelMM?.upperBound ?? 0
    }

    func travelMinMM(_ role: DriveRole) -> Double {
        config.drives.first { $0.role == role }?.limits.travelMM?.lowerBound ?? 0
    }
}
