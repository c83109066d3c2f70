import Config
import HAL

/// What entering each state sets in motion, and the commands that hold every tick.
extension StowMachine {
    func enter(_ next: StowState, from: StowState, event: StowEvent, now: MonotonicInstant) {
        switch next {
        case .idle:
            break
        case .awaitItem:
            draft = nil
            perceptionRequestedAt = nil
            doneSignal = false
            solenoid = false
            // The arm may leave for the induct once the plank is home (`continuousCommands`):
            // an attempt stopped in make_space or insert leaves it out in the bin, and the arm
            // would tear the fabric with it.
            armMayMove = false
            // The jaws open only once the arm is at the induct (see `nextEvent`): an item still
            // held after an aborted attempt must not be dropped on the way.
            plank.move(toMM: travelMinMM(.plank))
            leftBelt.run(mmPerS: 0)
            rightBelt.run(mmPerS: 0)
            requestArmMove(.induct)
        case .selectBin:
            armMayMove = false
        case .grasp:
            guard let item = draft?.item else { return }
            // Close past the catalog width (real items differ by a few mm, soft ones give) and
            // stop on force: the grasp is done when the jaw current reaches the grip limit.
            let overTravelMM = item.kind == "soft-bag" ? item.widthMM * 0.4 : 15
            jaw.move(toMM: max(travelMinMM(.jaw), item.widthMM - overTravelMM))
        case .approach:
            guard let choice = draft?.choice else { return }
            draft!.beltStartMM = lastBeltPositionMM
            armMayMove = true
            environment.perceptionLoop?.requestBaseline(openingIndex: choice.openingIndex)
            environment.demand.request(after: now, onlyOpening: choice.openingIndex)
            requestArmMove(ArmPose(station: .bin(choice.binName), xMM: choice.xMM, advanceMM: -20))
        case .separateBands:
            solenoid = true
        case .makeSpace:
            guard let item = draft?.item else { return }
            // The plank tip starts 40 mm behind the band plane at this pose.
            plank.move(toMM: min(travelMaxMM(.plank), item.depthMM + config.stow.clearanceDepthMM + 40))
        case .insert:
            guard let choice = draft?.choice else { return }
            draft!.beltStartMM = lastBeltPositionMM
            requestArmMove(ArmPose(station: .bin(choice.binName), xMM: choice.xMM, advanceMM: 10))
            leftBelt.run(mmPerS: config.stow.beltSpeedMMPerS)
            rightBelt.run(mmPerS: config.stow.beltSpeedMMPerS)
        case .retract:
            leftBelt.run(mmPerS: 0)
            rightBelt.run(mmPerS: 0)
            jaw.move(toMM: travelMaxMM(.jaw))
            plank.move(toMM: travelMinMM(.plank))
        case .verify:
            perceptionRequestedAt = now
            environment.demand.request(after: now, onlyOpening: draft?.choice?.openingIndex)
        case .record:
            endVerification()
            finishAttempt(now: now)
        case .backOff:
            endVerification()
            perceptionRequestedAt = nil
            leftBelt.run(mmPerS: -config.stow.beltSpeedMMPerS)
            rightBelt.run(mmPerS: -config.stow.beltSpeedMMPerS)
            plank.move(toMM: travelMinMM(.plank))
        case .sideline:
            solenoid = false
            leftBelt.run(mmPerS: 0)
            rightBelt.run(mmPerS: 0)
            if let item = draft?.item, jaw.acceptedTargetMM ?? 0 > item.widthMM {
                jaw.move(toMM: max(travelMinMM(.jaw), item.widthMM - (item.kind == "soft-bag" ? item.widthMM * 0.4 : 15)))
            }
        case .safeHold:
            leftBelt.run(mmPerS: 0)
            rightBelt.run(mmPerS: 0)
            armMayMove = false
            // Only a person who sees this hold may end it: an acknowledge sent before it began
            // (for a hold that turned into a safety stop) is stale.
            _ = takeAcknowledge()
        case .safeStop:
            leftBelt.run(mmPerS: 0)
            rightBelt.run(mmPerS: 0)
            // After the reset nothing resumes an aborted motion by itself: the jaw and the plank
            // stay without torque until the cycle commands them again (the plank home as it
            // waits for an item, the jaws open once the arm is at the induct). Their old targets
            // (a grasp closing on an item still held, a plank reaching into a bin) are dropped.
            jaw.powerOff()
            plank.powerOff()
            armMayMove = false
            solenoid = false
        }
    }

    /// Commands that follow the feedback every tick.
    func continuousCommands(now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>) {
        if let left = drives.leftBelt?.feedback, let right = drives.rightBelt?.feedback {
            lastBeltPositionMM = (left.positionMM + right.positionMM) / 2
        }
        if state == .awaitItem, !armMayMove, inputs.plankHome {
            armMayMove = true
        }
    }

    private func finishAttempt(now: MonotonicInstant) {
        guard let draft else {
            // A safety stop or a lost item before an attempt started: nothing to record.
            acknowledgeRecorded(through: nextAttemptIndex - 1)
            return
        }
        doneSignal = draft.verdict == .success
        finishedAttempt.publish(draft.record(campaignID: campaignID, end: now))
    }

    /// The attempt is done with its bin: perception stops verifying it. A baseline belongs to the
    /// attempt that took it; left in place it would be compared (and ray-carved) on every frame
    /// from then on, for every bin ever stowed into, and against the contents of pods long gone.
    private func endVerification() {
        guard let choice = draft?.choice else { return }
        environment.perceptionLoop?.requestClearBaseline(openingIndex: choice.openingIndex)
    }
}

