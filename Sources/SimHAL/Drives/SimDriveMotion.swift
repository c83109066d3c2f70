// The motion of `SimDrive`: a profile generator (the demand) and the axis that follows it as far
// as the current limit and the world's hard stops allow.
//
// Profile generator: trapezoidal velocity with the profile acceleration and deceleration; in
// profile position the speed toward the set-point is capped by the braking curve
// sqrt(2 * deceleration * distance), so the demand lands on the set-point; near a travel limit
// the same cap stops it at the limit.
//
// Axis: while it is on the demand and the force suffices, it follows the demand exactly (moves
// match the closed form). Once a limit left it behind, a position loop with velocity feed-forward
// (v_want = v_demand + gain * following error) catches up, and it rejoins the demand within a
// quarter count. The force it needs is mass * acceleration plus the resisting load; the motor delivers at most
// (current limit - idle current) * force constant. Current = idle + |motor force| / force constant.
// A resisting load acts like friction: it stops the axis but never drives it backwards. A hard
// stop clamps the position; pushing into it saturates the loop (current at the limit) and the
// following error grows, as it does under a load above the limit, until the 0x8611 fault.
// A spring-like load (an item squeezed between the jaws) also presses back at rest: holding
// position costs its force in current (`SimDriveLoad.holdingForceN`, at most the current limit).
import HAL

extension SimDrive {
    /// Position loop gain (1/s): how fast a following error left by a limit is caught up.
    static let positionLoopGainPerS = 100.0

    /// The profile velocity target in profile velocity mode, clamped to the maximum speed.
    var commandedVelocityMMPerS: Double {
        let velocity = Double(targetVelocityCounts) / parameters.countsPerMM
        return min(max(velocity, -parameters.maxSpeedMMPerS), parameters.maxSpeedMMPerS)
    }

    func advance(seconds dt: Double) {
        let demandBefore = (positionMM: demandPositionMM, velocityMMPerS: demandVelocityMMPerS)
        travelLimitActive = false
        currentLimited = false
        stalled = false

        guard powerState.isPowered && torqueEnabled else {
            coast(seconds: dt)
            powerStageOff()
            return
        }

        advanceDemand(seconds: dt)
        followDemand(seconds: dt, demandBefore: demandBefore)

        switch powerState {
        case .operationEnabled, .quickStopActive:
            if Swift.abs(followingErrorMM) > parameters.followingErrorWindowMM {
                enterFault(code: Self.followingErrorCode)
            } else if powerState == .quickStopActive && isStandingStill {
                powerState = .switchOnDisabled  // quick stop option code 2
                powerStageOff()
            }
        case .faultReactionActive:
            if isStandingStill {
                powerState = .fault
                powerStageOff()
            }
        default:
            break
        }
    }

    /// The demand has stopped and the axis moves less than one count per second.
    var isStandingStill: Bool {
        demandVelocityMMPerS == 0 && Swift.abs(actualVelocityMMPerS) < velocityWindowMMPerS
    }

    // MARK: - Profile generator

    private func advanceDemand(seconds dt: Double) {
        let scale = Swift.abs(parameters.countsPerMM)
        let acceleration = min(Double(profileAccelerationCounts) / scale, parameters.maxAccelerationMMPerS2)
        let profileDeceleration = min(Double(profileDecelerationCounts) / scale, parameters.maxAccelerationMMPerS2)
        let quickStopDeceleration = Double(quickStopDecelerationCounts) / scale
        let halted = controlword & CiA402Controlword.haltBit != 0

        if powerState == .operationEnabled && !halted && modeOfOperation == DriveMode.profilePosition.rawValue,
           let setpointMM {
            moveDemand(toward: setpointMM, acceleration: acceleration, deceleration: profileDeceleration, seconds: dt)
            return
        }

        var targetVelocity = 0.0
        var deceleration = profileDeceleration
        if powerState == .operationEnabled {
            if !halted && modeOfOperation == DriveMode.profileVelocity.rawValue {
                targetVelocity = commandedVelocityMMPerS
            }
        } else {
            deceleration = quickStopDeceleration  // quick stop, fault reaction
        }
        rampDemand(toward: targetVelocity, acceleration: acceleration, deceleration: deceleration, seconds: dt)
    }

    /// Profile position: trapezoid toward `target` that lands on it.
    private func moveDemand(toward target: Double, acceleration: Double, deceleration: Double, seconds dt: Double) {
        let distance = target - demandPositionMM
        if Swift.abs(distance) < 1e-9 && demandVelocityMMPerS == 0 {
            demandPositionMM = target
            setpointLanded = true
            return
        }
        let direction: Double = distance >= 0 ? 1 : -1
        let speedLimit = min(Double(profileVelocityCounts) / Swift.abs(parameters.countsPerMM), parameters.maxSpeedMMPerS)
        let along = demandVelocityMMPerS * direction
        // The speed at the end of this step that lies on the braking curve v = sqrt(2·a·d) at the
        // end of this step: v² = 2a(|d| - (along + v)/2·dt), solved for v. Using the distance at
        // the start instead would arrive too fast and stop with a jolt.
        let ramp = deceleration * dt
        let discriminant = ramp * ramp + 4 * (2 * deceleration * Swift.abs(distance) - deceleration * along * dt)
        let stoppingSpeed = max(0, (-ramp + max(0, discriminant).squareRoot()) / 2)
        let wanted = min(speedLimit, stoppingSpeed)
        var next: Double
        if along < wanted {
            next = min(wanted, along + (along < 0 ? deceleration : acceleration) * dt)
        } else if stoppingSpeed < speedLimit {
            next = wanted  // on the braking curve, which itself decelerates at `deceleration`
        } else {
            next = max(wanted, along - deceleration * dt)
        }
        let newVelocity = next * direction
        let newPosition = demandPositionMM + (demandVelocityMMPerS + newVelocity) / 2 * dt
        if (target - newPosition) * direction <= 1e-9 || (next <= 0 && along >= 0) {
            demandPositionMM = target
            demandVelocityMMPerS = 0
            setpointLanded = true
        } else {
            demandPositionMM = newPosition
            demandVelocityMMPerS = newVelocity
        }
    }

    /// Velocity ramp toward `target`, braking to stop at a travel limit.
    private func rampDemand(toward target: Double, acceleration: Double, deceleration: Double, seconds dt: Double) {
        var target = target
        if let travel = parameters.travelMM {
            // Do not head past a limit faster than the ramp can stop.
            let roomAbove = max(0, travel.upperBound - demandPositionMM)
            let roomBelow = max(0, demandPositionMM - travel.lowerBound)
            let capAbove = (2 * deceleration * roomAbove).squareRoot()
            let capBelow = (2 * deceleration * roomBelow).squareRoot()
            if target > capAbove { target = capAbove; travelLimitActive = roomAbove == 0 }
            if target < -capBelow { target = -capBelow; travelLimitActive = roomBelow == 0 }
        }
        let v = demandVelocityMMPerS
        let speedingUp = (v == 0) || (v > 0 && target > v) || (v < 0 && target < v)
        let rate = speedingUp ? acceleration : deceleration
        var next = v + min(max(target - v, -rate * dt), rate * dt)
        var position = demandPositionMM + (v + next) / 2 * dt
        if let travel = parameters.travelMM {
            // At a limit and still heading out: stop there (internal limit active).
            if position > travel.upperBound || (position == travel.upperBound && (next > 0 || target > 0)) {
                position = travel.upperBound
                next = 0
                travelLimitActive = true
            } else if position < travel.lowerBound || (position == travel.lowerBound && (next < 0 || target < 0)) {
                position = travel.lowerBound
                next = 0
                travelLimitActive = true
            }
        }
        demandPositionMM = position
        demandVelocityMMPerS = next
    }

    // MARK: - Axis

    /// Moves the actual axis after the demand. `demandBefore` is the demand at the start of the
    /// step: an axis that was on it follows exactly when the force allows (so moves match the
    /// closed form); one that fell behind catches up through the position loop.
    private func followDemand(seconds dt: Double, demandBefore: (positionMM: Double, velocityMMPerS: Double)) {
        let p = actualPositionMM
        let v = actualVelocityMMPerS
        let massKG = max(parameters.movingMassKG, 0.001)
        let availableForceN = parameters.availableForceN
        let tracking = Swift.abs(demandBefore.positionMM - p) <= 1e-9 && Swift.abs(demandBefore.velocityMMPerS - v) <= 1e-9

        let wantedVelocity: Double
        if tracking {
            wantedVelocity = demandVelocityMMPerS
        } else {
            let speedCap = max(parameters.maxSpeedMMPerS, Swift.abs(demandVelocityMMPerS))
            let loop = demandVelocityMMPerS + Self.positionLoopGainPerS * (demandPositionMM - p)
            wantedVelocity = min(max(loop, -speedCap), speedCap)
        }
        let wantedAcceleration = (wantedVelocity - v) / dt

        // The load opposes the motion in progress, or the motion about to start.
        let motionSign = v != 0 ? sign(v) : sign(wantedVelocity != 0 ? wantedVelocity : demandPositionMM - p)
        let resistingN = max(0, load.resistingForceN) * motionSign
        let wantedForceN = massKG * wantedAcceleration / 1000 + resistingN
        let motorForceN = min(max(wantedForceN, -availableForceN), availableForceN)
        currentLimited = Swift.abs(wantedForceN) > availableForceN

        var newVelocity: Double
        var newPosition: Double
        if !currentLimited && tracking {
            newVelocity = demandVelocityMMPerS
            newPosition = demandPositionMM
        } else {
            newVelocity = currentLimited ? v + (motorForceN - resistingN) * 1000 / massKG * dt : wantedVelocity
            // Friction-like: the load can stop the axis, never reverse it.
            if newVelocity * motionSign < 0 && (v == 0 || v * newVelocity < 0) {
                newVelocity = 0
            }
            newPosition = p + (v + newVelocity) / 2 * dt
            // Back on the demand (within a quarter count): follow it exactly again.
            if Swift.abs(demandPositionMM - newPosition) * Swift.abs(parameters.countsPerMM) < 0.25
                && Swift.abs(demandVelocityMMPerS - newVelocity) * Swift.abs(parameters.countsPerMM) < 1 {
                newPosition = demandPositionMM
                newVelocity = demandVelocityMMPerS
            }
        }

        var blocked = false
        if stallInjected {
            newPosition = p
            newVelocity = 0
            blocked = true
        }
        if let below = load.blockedBelowMM, newPosition < below {
            newPosition = max(newPosition, min(p, below))
            newVelocity = max(newVelocity, 0)
            blocked = true
        }
        if let above = load.blockedAboveMM, newPosition > above {
            newPosition = min(newPosition, max(p, above))
            newVelocity = min(newVelocity, 0)
            blocked = true
        }
        actualPositionMM = newPosition
        actualVelocityMMPerS = newVelocity

        let pushing = Swift.abs(demandPositionMM - newPosition) * Swift.abs(parameters.countsPerMM) > 0.5
        let heldByLoad = currentLimited && newVelocity == 0 && wantedVelocity != 0 && load.resistingForceN >= availableForceN
        stalled = (blocked && pushing) || heldByLoad

        if stalled {
            deliveredForceN = Swift.abs(motorForceN)  // all the loop pushes with goes into the stop or load
        } else {
            deliveredForceN = newVelocity != 0 ? max(0, load.resistingForceN) : 0
        }
        // Standing still against a spring-like load, the motor holds what the load presses back with.
        let holdingN = newVelocity == 0 ? min(max(0, load.holdingForceN), availableForceN) : 0
        let heldForceN = max(Swift.abs(motorForceN), holdingN)
        if holdingN > deliveredForceN { deliveredForceN = holdingN }
        actualCurrentMA = min(parameters.idleCurrentMA + heldForceN / parameters.forceConstantNPerA * 1000, parameters.maxCurrentMA)
    }

    /// No torque: the holding brake stops the axis at the maximum acceleration.
    private func coast(seconds dt: Double) {
        let v = actualVelocityMMPerS
        guard v != 0 else { return }
        let braking = parameters.maxAccelerationMMPerS2 * dt
        let next = Swift.abs(v) <= braking ? 0 : v - braking * sign(v)
        var position = actualPositionMM + (v + next) / 2 * dt
        var velocity = next
        if let below = load.blockedBelowMM, position < below { position = max(position, min(actualPositionMM, below)); velocity = 0 }
        if let above = load.blockedAboveMM, position > above { position = min(position, max(actualPositionMM, above)); velocity = 0 }
        actualPositionMM = position
        actualVelocityMMPerS = velocity
    }

    private func sign(_ value: Double) -> Double {
        value > 0 ? 1 : (value < 0 ? -1 : 0)
    }
}
