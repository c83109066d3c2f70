import Config
import HAL
import Perception
import Synchronization

/// The stow cycle: a `ControlApplication` that runs `StowTransitions` one tick at a time.
///
/// Each tick: a safety stop becomes the `fault` event; otherwise the phase's timeout, then the
/// state's own condition (see `StowMachine+Events`), gives at most one event; the table says
/// where it leads; entering a state sets its targets (`StowMachine+Actions`); every tick the
/// targets become drive setpoints and output values. Every transition is kept with its cause
/// (the phase records of the attempt) and passed to `onTransition`.
///
/// A finished attempt is published in `finishedAttempt`; the cycle waits in `record` until the
/// journal writer calls `acknowledgeRecorded(through:)`, so nothing starts before the previous
/// attempt is on disk.
public final class StowMachine: ControlApplication, @unchecked Sendable {
    public struct Environment {
        public var arm: ArmLink
        public var induct: InductStation
        public var perception: PerceptionOutput
        public var perceptionLoop: PerceptionLoop?
        public var demand: PerceptionDemand

        public init(arm: ArmLink, induct: InductStation, perception: PerceptionOutput, perceptionLoop: PerceptionLoop?,
                    demand: PerceptionDemand) {
            self.arm = arm
            self.induct = induct
            self.perception = perception
            self.perceptionLoop = perceptionLoop
            self.demand = demand
        }
    }

    /// One transition, for logs.
    public struct Transition: Sendable {
        public var time: MonotonicInstant
        public var from: StowState
        public var event: StowEvent
        public var to: StowState
        public var cause: String
    }

    public let campaignID: String
    let config: RobotConfig
    let environment: Environment
    let selector: BinSelector
    public private(set) var state: StowState = .idle
    /// `state` for other threads (the console's view while the control loop runs on its own
    /// thread); published at every transition, read without waiting.
    public let observedState = LatestValue<StowState>(.idle)
    var stateEntered = MonotonicInstant(nanoseconds: 0)
    /// The current state's timeout, set as it is entered: the lookup by phase hashes a string,
    /// too much for every tick.
    var stateTimeoutNanoseconds: UInt64?
    var draft: StowAttemptDraft?
    var nextAttemptIndex: Int
    /// Steps inside a state (retract: open up, then withdraw, then close the bands).
    var stage = 0
    var cause = ""
    var perceptionRequestedAt: MonotonicInstant?
    /// The perception output's publish count when `newObservation` last looked.
    var observationsSeen: UInt64 = 0
    /// Why the last arm move could not be asked for (the cell link down); nil once one was.
    var armMoveProblem: String?

    var jaw: AxisCommand
    var plank: AxisCommand
    var leftBelt: AxisCommand
    var rightBelt: AxisCommand
    var solenoid = false
    var armMayMove = false
    var doneSignal = false
    var lastBeltPositionMM = 0.0
    /// Attempts that relaxed margins (kept under `stow.exploration_share`).
    public internal(set) var explorations = 0

    /// Published at the end of each attempt; the journal writer takes it.
    public let finishedAttempt = LatestValue<StowAttemptRecord?>(nil)
    private let recordedThrough = Atomic<Int>(-1)
    private let resetRequested = Atomic<Bool>(false)
    private let acknowledgeRequested = Atomic<Bool>(false)
    public private(set) var refusedEvents = 0
    public var onTransition: ((Transition) -> Void)?

    public init(config: RobotConfig, environment: Environment, campaignID: String, firstAttemptIndex: Int = 0) {
        self.config = config
        self.environment = environment
        self.campaignID = campaignID
        nextAttemptIndex = firstAttemptIndex
        recordedThrough.store(firstAttemptIndex - 1, ordering: .relaxed)
        // Each drive is configured with its stow speed as it is enabled (`stow.speeds_mm_s`).
        jaw = AxisCommand(motionProfile: .stow(.jaw, config: config))
        plank = AxisCommand(motionProfile: .stow(.plank, config: config))
        leftBelt = AxisCommand(motionProfile: .stow(.leftBelt, config: config))
        rightBelt = AxisCommand(motionProfile: .stow(.rightBelt, config: config))
        selector = BinSelector(clearanceWidthMM: config.stow.clearanceWidthMM, clearanceHeightMM: config.stow.clearanceHeightMM,
                               clearanceDepthMM: config.stow.clearanceDepthMM)
    }

    /// Attempts started so far (the next attempt's index).
    public var attemptsStarted: Int { nextAttemptIndex }

    /// The journal has the attempts up to and including `index`.
    public func acknowledgeRecorded(through index: Int) {
        recordedThrough.store(index, ordering: .releasing)
    }

    /// A person cleared the faults (console `reset faults`): leave the safe stop.
    public func requestReset() { resetRequested.store(true, ordering: .releasing) }

    /// A person dealt with what fell or broke (console or campaign): leave the safe hold.
    public func acknowledge() { acknowledgeRequested.store(true, ordering: .releasing) }

    public func step(
        now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool,
        outputs: inout EOATOutputs, setpoints: inout PerDrive<DriveSetpoint>
    ) {
        if state == .idle { apply(.start, now: now, cause: "controller started") }
        if let event = nextEvent(now: now, inputs: inputs, drives: drives, safeStopped: safeStopped) {
            apply(event, now: now, cause: cause)
        }
        continuousCommands(now: now, inputs: inputs, drives: drives)
        outputs = EOATOutputs()
        outputs.driveEnable = true
        outputs.bandSeparatorSolenoid = solenoid
        outputs.ready = armMayMove
        outputs.done = doneSignal
        outputs.towerLightRed = false
        outputs.towerLightGreen = state != .safeHold
        outputs.towerLightAmber = state == .safeHold
        setpoints.jaw = jaw.setpoint(feedback: drives.jaw?.feedback, now: now)
        setpoints.leftBelt = leftBelt.setpoint(feedback: drives.leftBelt?.feedback, now: now)
        setpoints.rightBelt = rightBelt.setpoint(feedback: drives.rightBelt?.feedback, now: now)
        setpoints.plank = plank.setpoint(feedback: drives.plank?.feedback, now: now)
    }

    /// The attempt in progress when the controller stops (a service shutting down), closed as it
    /// stands: unproductive, `cause` saying why, the current state as its last phase. Nil when
    /// no attempt was in progress or the last one was already published. Call on the control
    /// thread once the loops have stopped; the machine keeps no draft afterwards.
    public func closeInterruptedAttempt(now: MonotonicInstant, cause: String) -> StowAttemptRecord? {
        guard var interrupted = draft, state != .record else { return nil }
        interrupted.phases.append(PhaseRecord(phase: state.rawValue, startNanoseconds: stateEntered.nanoseconds,
                                              endNanoseconds: max(now.nanoseconds, stateEntered.nanoseconds), result: cause))
        interrupted.verdict = .unproductive
        interrupted.cause = "\(cause) in \(state.rawValue)"
        draft = nil
        return interrupted.record(campaignID: campaignID, end: max(now, stateEntered))
    }

    /// Applies the table; on a change of state, closes the phase record and runs the entry action.
    func apply(_ event: StowEvent, now: MonotonicInstant, cause: String) {
        switch StowTransitions.next(state, event) {
        case .stay:
            return
        case .refuse:
            refusedEvents += 1
            return
        case let .go(next):
            let from = state
            if draft != nil {
                draft!.phases.append(PhaseRecord(phase: from.rawValue, startNanoseconds: stateEntered.nanoseconds,
                                                 endNanoseconds: now.nanoseconds, result: cause.isEmpty ? event.rawValue : cause))
            }
            state = next
            stateTimeoutNanoseconds = timeoutNanoseconds(next)
            observedState.publish(next)
            stateEntered = now
            stage = 0
            onTransition?(Transition(time: now, from: from, event: event, to: next, cause: cause))
            enter(next, from: from, event: event, now: now)
        }
    }

    func takeReset() -> Bool { resetRequested.exchange(false, ordering: .acquiring) }
    func takeAcknowledge() -> Bool { acknowledgeRequested.exchange(false, ordering: .acquiring) }
    var journalCaughtUp: Bool { recordedThrough.load(ordering: .acquiring) >= nextAttemptIndex - 1 }
}
