import Control
import HAL
import Testing

/// The profile-position handshake, fed feedback as a drive on a slow bus would give it.
@Suite("Axis command handshake")
struct AxisCommandTests {
    static let enabled: UInt16 = 0x0237  // operation enabled, voltage, remote, quick stop bit
    static let acknowledge = CiA402StatusBit.operationModeSpecific12
    static let now = MonotonicInstant(nanoseconds: 0)

    static func feedback(_ statusword: UInt16, at positionMM: Double = 0) -> DriveFeedback {
        DriveFeedback(statusword: statusword, positionMM: positionMM, velocityMMPerS: 0, currentMilliamps: 0, errorCode: 0)
    }

    @Test("raise bit 4 until acknowledged, lower it, and wait for the acknowledge to clear before the next target")
    func handshake() {
        var axis = AxisCommand()
        axis.move(toMM: 100)
        let first = axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now)
        #expect(first.controlword & CiA402Controlword.newSetpointBit != 0)
        #expect(first.targetPositionMM == 100)
        // Stale feedback without the acknowledge: keep bit 4 up.
        #expect(axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now).controlword & CiA402Controlword.newSetpointBit != 0)
        // Acknowledged: lower bit 4; the target is taken.
        let lowered = axis.setpoint(feedback: Self.feedback(Self.enabled | Self.acknowledge), now: Self.now)
        #expect(lowered.controlword & CiA402Controlword.newSetpointBit == 0)
        #expect(axis.acceptedTargetMM == 100)
        // A new target while the acknowledge is still up: bit 4 stays low until it clears.
        axis.move(toMM: 0)
        #expect(axis.setpoint(feedback: Self.feedback(Self.enabled | Self.acknowledge), now: Self.now).controlword
            & CiA402Controlword.newSetpointBit == 0)
        #expect(axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now).controlword & CiA402Controlword.newSetpointBit == 0)
        let raised = axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now)
        #expect(raised.controlword & CiA402Controlword.newSetpointBit != 0)
        #expect(raised.targetPositionMM == 0)
    }

    @Test("reached only when the drive took this very target and reports it reached there")
    func reached() {
        var axis = AxisCommand()
        axis.move(toMM: 50)
        let reachedWord = Self.enabled | CiA402StatusBit.targetReached
        #expect(!axis.reached(Self.feedback(reachedWord, at: 0)), "a target-reached bit from the last move does not count")
        _ = axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now)
        _ = axis.setpoint(feedback: Self.feedback(Self.enabled | Self.acknowledge), now: Self.now)
        #expect(axis.reached(Self.feedback(reachedWord, at: 50)))
    }

    @Test("a drive that left operation enabled (fault, quick stop, STO) gets the same target raised again when it is back")
    func targetRaisedAgainAfterLeavingOperationEnabled() {
        var axis = AxisCommand()
        axis.move(toMM: 24)
        _ = axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now)
        _ = axis.setpoint(feedback: Self.feedback(Self.enabled | Self.acknowledge), now: Self.now)
        _ = axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now)
        #expect(axis.acceptedTargetMM == 24)
        // Fault (0x0208), reset, and walked back to switch on disabled (0x0240).
        #expect(axis.setpoint(feedback: Self.feedback(0x0208), now: Self.now) == .disabled)
        _ = axis.setpoint(feedback: Self.feedback(0x0240), now: Self.now)
        #expect(axis.acceptedTargetMM == nil)
        axis.move(toMM: 24)
        let raised = axis.setpoint(feedback: Self.feedback(Self.enabled, at: 24), now: Self.now)
        #expect(raised.controlword & CiA402Controlword.newSetpointBit != 0)
        #expect(raised.targetPositionMM == 24)
        #expect(!axis.reached(Self.feedback(Self.enabled | CiA402StatusBit.targetReached, at: 24)), "not before the drive takes it")
    }

    @Test("a drive not yet enabled is walked up the CiA 402 state machine; a faulted one gets no torque")
    func walk() {
        var axis = AxisCommand()
        axis.run(mmPerS: 100)
        #expect(axis.setpoint(feedback: Self.feedback(0x0240), now: Self.now).controlword == CiA402Controlword.shutdown.rawValue)
        #expect(axis.setpoint(feedback: Self.feedback(0x0208), now: Self.now) == .disabled)
        let running = axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now)
        #expect(running.mode == .profileVelocity && running.targetVelocityMMPerS == 100)
    }

    @Test("every setpoint that powers the drive carries the axis's motion profile, from the first step of the walk; power off carries none")
    func motionProfileRidesOnEverySetpoint() {
        let profile = DriveMotionProfile(velocityMMPerS: 120, accelerationMMPerS2: 1500, decelerationMMPerS2: 1500)
        var axis = AxisCommand(motionProfile: profile)
        axis.move(toMM: 40)
        #expect(axis.setpoint(feedback: Self.feedback(0x0240), now: Self.now).motionProfile == profile, "switch on disabled: shutdown")
        #expect(axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now).motionProfile == profile)
        axis.run(mmPerS: 450)
        #expect(axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now).motionProfile == profile)
        axis.powerOff()
        #expect(axis.setpoint(feedback: Self.feedback(Self.enabled), now: Self.now).motionProfile == nil)
    }
}

