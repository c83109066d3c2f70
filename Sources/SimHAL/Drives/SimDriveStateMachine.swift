// The CiA 402 power state machine of `SimDrive`, driven by the controlword, and the statusword
// it reports. Command coding from CiA 402-2 / IEC 61800-7-201 (device control commands); the
// choices this drive makes are listed in SimDrive.swift's header.
import HAL

extension SimDrive {
    /// The device-control command in controlword bits 0-3 (bit 7 clear).
    enum DeviceCommand {
        case disableVoltage   // 0xxx xx0x
        case quickStop        // 0xxx x01x
        case shutdown         // 0xxx x110
        case switchOn         // 0xxx 0111 (also "disable operation")
        case enableOperation  // 0xxx 1111

        init(controlword: UInt16) {
            if controlword & 0x0002 == 0 {
                self = .disableVoltage
            } else if controlword & 0x0004 == 0 {
                self = .quickStop
            } else if controlword & 0x0001 == 0 {
                self = .shutdown
            } else if controlword & 0x0008 == 0 {
                self = .switchOn
            } else {
                self = .enableOperation
            }
        }
    }

    /// Takes a controlword written by the master: fault reset edge, state transition, then the
    /// profile-position set-point handshake (bits 4 and 12).
    func apply(controlword newWord: UInt16) {
        let oldWord = controlword
        controlword = newWord
        let rising = newWord & ~oldWord
        let falling = oldWord & ~newWord

        if newWord & CiA402Controlword.faultResetBit != 0 {
            // Bit 7 set: this is "fault reset", never a device command (transition 15 only).
            if rising & CiA402Controlword.faultResetBit != 0 && powerState == .fault {
                resetFault()
            }
            return
        }

        let command = DeviceCommand(controlword: newWord)
        switch powerState {
        case .notReadyToSwitchOn, .faultReactionActive, .fault:
            break
        case .switchOnDisabled:
            if command == .shutdown { powerState = .readyToSwitchOn }  // 2
        case .readyToSwitchOn:
            switch command {
            case .switchOn: powerState = .switchedOn  // 3
            case .enableOperation: enterOperationEnabled()  // 3 + 4
            case .disableVoltage, .quickStop: powerState = .switchOnDisabled  // 7
            case .shutdown: break
            }
        case .switchedOn:
            switch command {
            case .enableOperation: enterOperationEnabled()  // 4
            case .shutdown: powerState = .readyToSwitchOn  // 6
            case .disableVoltage, .quickStop: powerState = .switchOnDisabled  // 10
            case .switchOn: break
            }
        case .operationEnabled:
            switch command {
            case .switchOn: leaveOperation(to: .switchedOn)  // 5
            case .shutdown: leaveOperation(to: .readyToSwitchOn)  // 8
            case .disableVoltage: leaveOperation(to: .switchOnDisabled)  // 9
            case .quickStop: powerState = .quickStopActive  // 11
            case .enableOperation: break
            }
        case .quickStopActive:
            // 12; enable operation (16) is refused: the stop runs to its end.
            if command == .disableVoltage { leaveOperation(to: .switchOnDisabled) }
        }

        if falling & CiA402Controlword.newSetpointBit != 0 {
            setpointAcknowledged = false
        }
        if rising & CiA402Controlword.newSetpointBit != 0 && powerState == .operationEnabled
            && modeOfOperation == DriveMode.profilePosition.rawValue {
            acceptSetpoint(relative: newWord & (1 << 6) != 0)
        }
    }

    /// A mode write. Leaving profile position drops its set-point; the axis then holds or ramps
    /// as the new mode says.
    func changeMode(to mode: Int8) {
        if mode != modeOfOperation {
            setpointMM = nil
            setpointLanded = false
            setpointAcknowledged = false
        }
        modeOfOperation = mode
    }

    /// The fault reaction: brake on the quick stop ramp (if moving and powered), then `fault`.
    func enterFault(code: UInt16) {
        guard !powerState.isFault else { return }
        latchedErrorCode = code
        if code == Self.followingErrorCode && modeOfOperation == DriveMode.profilePosition.rawValue {
            followingErrorLatched = true
        }
        let moving = actualVelocityMMPerS != 0 || demandVelocityMMPerS != 0
        if powerState.isPowered && torqueEnabled && moving {
            // Brake from where the axis really is, not from where the demand ran ahead to.
            demandPositionMM = actualPositionMM
            demandVelocityMMPerS = actualVelocityMMPerS
            powerState = .faultReactionActive
        } else {
            powerState = .fault
            powerStageOff()
        }
        dropSetpoint()
    }

    /// STO while the power stage is on: straight to fault, the axis coasts.
    func enterSafeTorqueOffFault() {
        if powerState == .faultReactionActive {
            powerState = .fault
            powerStageOff()
            return
        }
        enterFault(code: Self.safeTorqueOffErrorCode)
        powerState = .fault
        powerStageOff()
    }

    // MARK: - Statusword

    /// The statusword (0x6041) as the master reads it (unless feedback is frozen).
    var statusword: UInt16 {
        var word: UInt16 = CiA402StatusBit.voltageEnabled | CiA402StatusBit.remote
        switch powerState {
        case .notReadyToSwitchOn: word = 0
        case .switchOnDisabled: word |= 0x0040
        case .readyToSwitchOn: word |= 0x0021
        case .switchedOn: word |= 0x0023
        case .operationEnabled: word |= 0x0027
        case .quickStopActive: word |= 0x0007
        case .faultReactionActive: word |= 0x000F
        case .fault: word |= 0x0008
        }
        if targetReached { word |= CiA402StatusBit.targetReached }
        if currentLimited || travelLimitActive || setpointTravelClamped { word |= CiA402StatusBit.internalLimitActive }
        if modeOfOperation == DriveMode.profilePosition.rawValue {
            if setpointAcknowledged { word |= CiA402StatusBit.operationModeSpecific12 }
            if followingErrorLatched { word |= 1 << 13 }
        } else if modeOfOperation == DriveMode.profileVelocity.rawValue {
            if powerState.isPowered && Swift.abs(velocityCounts) < 1 { word |= CiA402StatusBit.operationModeSpecific12 }
        }
        return word
    }

    /// Bit 10: in operation_enabled, the set-point (profile position) or target velocity
    /// (profile velocity) is reached, or the halted axis stands still; in quick_stop_active,
    /// the axis stands still.
    var targetReached: Bool {
        let standing = isStandingStill
        switch powerState {
        case .quickStopActive:
            return standing
        case .operationEnabled:
            if controlword & CiA402Controlword.haltBit != 0 {
                return standing
            }
            if modeOfOperation == DriveMode.profilePosition.rawValue {
                guard let setpointMM else { return standing }
                return setpointLanded && Swift.abs(actualPositionMM - setpointMM) <= positionWindowMM
            }
            if modeOfOperation == DriveMode.profileVelocity.rawValue {
                return Swift.abs(actualVelocityMMPerS - commandedVelocityMMPerS) <= velocityWindowMMPerS
            }
            return standing
        default:
            return false
        }
    }

    /// Two counts, or 0.05 mm on a coarse encoder.
    var positionWindowMM: Double { max(2 / Swift.abs(parameters.countsPerMM), 0.05) }
    /// One count per second.
    var velocityWindowMMPerS: Double { 1 / Swift.abs(parameters.countsPerMM) }

    // MARK: - Private helpers

    private func enterOperationEnabled() {
        guard torqueEnabled else {
            enterFault(code: Self.safeTorqueOffErrorCode)
            return
        }
        powerStageOff()
        dropSetpoint()
        powerState = .operationEnabled
    }

    private func leaveOperation(to state: CiA402State) {
        powerState = state
        powerStageOff()
        dropSetpoint()
    }

    private func resetFault() {
        if latchedErrorCode == Self.safeTorqueOffErrorCode && !torqueEnabled {
            return  // the cause is still there
        }
        latchedErrorCode = 0
        followingErrorLatched = false
        powerState = .switchOnDisabled
    }

    private func acceptSetpoint(relative: Bool) {
        var target = Double(targetPositionCounts) / parameters.countsPerMM
        if relative {
            target += setpointMM ?? actualPositionMM
        }
        setpointTravelClamped = false
        if let travel = parameters.travelMM, !travel.contains(target) {
            target = min(max(target, travel.lowerBound), travel.upperBound)
            setpointTravelClamped = true
        }
        setpointMM = target
        setpointLanded = false
        setpointAcknowledged = true
    }

    private func dropSetpoint() {
        setpointMM = nil
        setpointLanded = false
        setpointTravelClamped = false
    }

    /// No torque: no current, no force, nothing to follow (demand = actual).
    func powerStageOff() {
        demandPositionMM = actualPositionMM
        demandVelocityMMPerS = actualVelocityMMPerS
        actualCurrentMA = 0
        deliveredForceN = 0
        stalled = false
        currentLimited = false
    }
}
