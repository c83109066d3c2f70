import Config
import Control
import HAL
import SimHAL

/// Runs fault-matrix cells one after another on one simulated robot, in virtual time: waits for
/// the stow cycle to enter the cell's state, injects the fault there, watches every control tick
/// until the EOAT is safe (or the fault is over, for a tolerated one), plays the person who resets
/// faults and acknowledges safe holds, and ends the cell when the cycle has resumed: a new
/// attempt has reached `approach` with nothing latched.
///
/// Like `CampaignRunner`, it journals each finished attempt before the cycle may start the next,
/// adding the safety faults latched during it to its record.
public final class FaultMatrixRun {
    /// A cell gives up when the cycle has not resumed this long after the onset (simulated).
    public static let resumeLimitNanoseconds: UInt64 = 60_000_000_000
    /// A cell gives up when its state is not entered this long after the cell began (simulated).
    public static let reachLimitNanoseconds: UInt64 = 120_000_000_000
    /// The simulated person resets no sooner than this after the fault ended, then once a second.
    static let resetDelayNanoseconds: UInt64 = 100_000_000

    public let robot: SimulatedRobot
    public let journal: StowJournaling
    private let controlPeriodNanoseconds: UInt64
    private let safeOutputs: EOATOutputs
    private var transitions: [StowMachine.Transition] = []
    private var nextRecordIndex = 0
    private var faultsInAttempt: [String] = []

    public init(config: RobotConfig, campaignID: String, journal: StowJournaling) throws {
        robot = try SimulatedRobot(config: config, campaignID: campaignID)
        self.journal = journal
        controlPeriodNanoseconds = robot.controller.control.periodNanoseconds
        var safe = robot.controller.controlLoop.supervisor.limits.safeValues
        safe.towerLightRed = true
        safeOutputs = safe
        let previous = robot.machine.onTransition
        robot.machine.onTransition = { [unowned self] transition in
            previous?(transition)
            self.transitions.append(transition)
            if transition.to == .safeStop {
                self.faultsInAttempt += self.robot.controller.controlLoop.supervisor.faults.map(\.description)
            }
        }
    }

    /// Runs one cell: `faultCase` injected on the next entry into `state`.
    public func run(_ faultCase: FaultMatrixCase, in state: StowState) -> FaultCellResult {
        var result = FaultCellResult(fault: faultCase.fault, state: state)
        let spec: SimFaultSpec
        do {
            spec = try SimFaultSpec.parse(faultCase.fault)
        } catch {
            result.problems.append("the fault line does not parse: \(error)")
            return result
        }
        guard reach(state, result: &result) else { return result }
        let eventsBefore = robot.eoat.world.events.count
        do {
            try robot.eoat.faults.schedule(spec)  // trigger `now`: starts at this very instant
        } catch {
            result.problems.append("cannot inject: \(error)")
            return result
        }
        let onset = robot.clock.now()
        result.onsetNanoseconds = onset.nanoseconds
        watch(faultCase, in: state, onset: onset, eventCursor: eventsBefore, result: &result)
        return result
    }

    // MARK: - Reaching the state

    /// Runs until the cycle enters `state`, steering it there when the cycle does not pass
    /// through it by itself (`FaultMatrixRoute`). False, with a problem noted, when it never does.
    private func reach(_ state: StowState, result: inout FaultCellResult) -> Bool {
        let route = FaultMatrixRoute.to(state)
        let began = robot.clock.now()
        var steering = false
        transitions.removeAll()
        while began.nanoseconds(until: robot.clock.now()) < Self.reachLimitNanoseconds {
            runControlTick()
            for transition in transitions {
                if let route, transition.to == route.from, !steering, let spec = try? SimFaultSpec.parse(route.steer) {
                    try? robot.eoat.faults.schedule(spec)
                    steering = true
                }
                if transition.to == state {
                    if let route { robot.eoat.faults.clear(kindName: route.steerKind) }
                    transitions.removeAll()
                    return true
                }
            }
            transitions.removeAll()
            personActs(faultEnded: true, lastReset: nil)
        }
        result.problems.append("never entered \(state.rawValue) within \(Self.reachLimitNanoseconds / 1_000_000_000) s; the cycle is in "
            + "\(robot.machine.state.rawValue)")
        return false
    }

    // MARK: - Watching the reaction

    /// `eventCursor`: the world's event count before the fault was scheduled (a one-shot fault
    /// logs its end as it starts).
    private func watch(_ faultCase: FaultMatrixCase, in state: StowState, onset: MonotonicInstant, eventCursor start: Int,
                       result: inout FaultCellResult) {
        let supervisor = robot.controller.controlLoop.supervisor
        let startedAtOnset = robot.machine.attemptsStarted
        let failedBefore = failedExchanges()
        let overrunsBefore = robot.controller.control.statisticsSnapshot().overruns
        recordsSinceOnset.removeAll()
        // The attempt in progress at the onset, if any: a safety stop must end it, journaled as such.
        let attemptInProgress = state != .awaitItem && state != .record
        var faultEndedAt: MonotonicInstant?
        var lastReset: MonotonicInstant?
        var eventCursor = start
        let config = robot.config
        if case let .safeStop(_, _, allowance) = faultCase.reaction {
            result.budgetNanoseconds = allowance.nanoseconds(config: config) + 2 * controlPeriodNanoseconds
        }

        while true {
            let now = robot.clock.now()
            let sinceOnset = onset.nanoseconds(until: now)
            if sinceOnset > Self.resumeLimitNanoseconds {
                result.problems.append("did not resume within \(Self.resumeLimitNanoseconds / 1_000_000_000) s; the cycle is in "
                    + "\(robot.machine.state.rawValue), latched: \(supervisor.faults.map(\.description).joined(separator: "; "))")
                break
            }
            runControlTick()
            let tickTime = robot.clock.now()
            // The fault's end, from the simulator's own log (one-shot faults end as they start).
            let events = robot.eoat.world.events
            while eventCursor < events.count {
                let event = events[eventCursor]
                if event.kind == .faultEnded, faultEndedAt == nil { faultEndedAt = event.time }
                if event.kind == .toolCollision {
                    result.problems.append("the arm left \(event.subject) with the plank out: \(event.detail)")
                }
                eventCursor += 1
            }
            // A stalled axis that faults itself: its budget counts from the control tick after the
            // world step it faulted in (at most a millisecond late, so the budget is that lenient).
            if case let .toleratedUntilItsDriveFaults(role, _, errorCode) = faultCase.reaction, result.budgetNanoseconds == nil,
               robot.eoat.world.drives.drive(role).errorCode == errorCode {
                result.budgetNanoseconds = onset.nanoseconds(until: tickTime)
                    + DetectionAllowance.busCycle.nanoseconds(config: config) + 2 * controlPeriodNanoseconds
            }
            if result.latched == nil, let first = supervisor.faults.first {
                result.latched = "\(first.kind.rawValue) \(first.subject)"
                latchedAtNanoseconds = first.since.nanoseconds
            }
            if result.onsetToSafeNanoseconds == nil, !supervisor.faults.isEmpty, isSafe() {
                result.onsetToSafeNanoseconds = onset.nanoseconds(until: tickTime)
            }
            // Resumed: the first attempt started after the onset reaches approach (drives enabled
            // and moving again, the item gripped), the fault over and nothing latched.
            let resumed = transitions.contains { $0.to == .approach } && robot.machine.attemptsStarted == startedAtOnset + 1
                && faultEndedAt != nil && supervisor.faults.isEmpty
            transitions.removeAll()
            if resumed {
                result.onsetToResumeNanoseconds = onset.nanoseconds(until: tickTime)
                break
            }
            if robot.machine.attemptsStarted > startedAtOnset + 1 {
                let first = recordsSinceOnset.first { $0.attemptIndex == startedAtOnset }
                result.problems.append("the first attempt after the fault never reached approach: "
                    + (first.map { "\($0.outcome.rawValue), \($0.cause)" } ?? "not journaled"))
                break
            }
            if let reset = personActs(faultEnded: faultEndedAt != nil, lastReset: lastReset) {
                lastReset = reset
                result.resets += 1
            }
        }

        result.started = robot.machine.attemptsStarted
        result.journaled = (try? journal.completedAttempts(campaignID: robot.machine.campaignID)) ?? -1
        if attemptInProgress, let record = recordsSinceOnset.first(where: { $0.endNanoseconds >= latchedAtNanoseconds }) ?? recordsSinceOnset.first {
            result.abortedAttempt = "#\(record.attemptIndex) \(record.outcome.rawValue): \(record.cause)"
                + (record.faults.isEmpty ? "" : " [" + record.faults.joined(separator: "; ") + "]")
        }
        let failed = failedExchanges() - failedBefore
        let overruns = robot.controller.control.statisticsSnapshot().overruns - overrunsBefore
        judge(faultCase, result: &result, attemptInProgress: attemptInProgress, failedExchanges: failed, overruns: overruns)
    }

    /// The cell's verdict against its case's reaction.
    private func judge(_ faultCase: FaultMatrixCase, result: inout FaultCellResult, attemptInProgress: Bool,
                       failedExchanges: UInt64, overruns: UInt64) {
        if result.journaled != result.started - 1 {
            result.problems.append("journal holds \(result.journaled) attempts, the cycle started \(result.started) "
                + "(all but the one in progress must be journaled)")
        }
        switch faultCase.reaction {
        case let .safeStop(kinds, subject, _):
            judgeSafeStop(kinds: kinds, subject: subject, result: &result, attemptInProgress: attemptInProgress)
        case let .toleratedUntilItsDriveFaults(_, subject, errorCode):
            guard let latched = result.latched else { return }
            if result.budgetNanoseconds == nil {
                result.problems.append("latched \(latched) while the stalled drive had not faulted itself "
                    + "(0x\(String(errorCode, radix: 16))): a stall must otherwise be tolerated")
                return
            }
            result.trace = "the drive faulted itself (0x\(String(errorCode, radix: 16)))"
            judgeSafeStop(kinds: [.driveFault], subject: subject, result: &result, attemptInProgress: attemptInProgress)
        case let .tolerated(record):
            if let latched = result.latched {
                result.problems.append("latched \(latched) for a fault that must be tolerated")
            }
            switch record {
            case .failedExchange:
                result.trace = "\(failedExchanges) failed exchange(s)"
                if failedExchanges == 0 { result.problems.append("no failed exchange recorded in the drive reports") }
            case .loopOverrun:
                result.trace = "\(overruns) overrun(s)"
                if overruns == 0 { result.problems.append("no overrun recorded in the control loop statistics") }
            case .attemptCause:
                result.trace = nil
            }
        }
    }

    /// A safety stop's checks: `kinds` latched naming `subject`, safe in time, the attempt in
    /// progress journaled as stopped.
    private func judgeSafeStop(kinds: [SafetyFault.Kind], subject: String, result: inout FaultCellResult, attemptInProgress: Bool) {
        guard let latched = result.latched else {
            result.problems.append("no safety fault latched (expected \(kinds.map(\.rawValue).joined(separator: " or ")))")
            return
        }
        let named = kinds.contains { latched.hasPrefix($0.rawValue + " " + subject) }
        if !named {
            result.problems.append("latched \(latched), expected \(kinds.map(\.rawValue).joined(separator: " or ")) \(subject)…")
        }
        if let safe = result.onsetToSafeNanoseconds, let budget = result.budgetNanoseconds, safe > budget {
            result.problems.append("safe \(safe / 1_000) µs after the onset, budget \(budget / 1_000) µs")
        }
        if result.onsetToSafeNanoseconds == nil {
            result.problems.append("outputs never safe with quick stop on every drive")
        }
        // An attempt still running when the stop latched (it may have finished between the
        // onset and the latch: a bus fault takes a while to show) is journaled with the fault
        // that stopped it, and as a safety stop unless its item had already fallen out
        // (amnesty keeps its cause: the outcome is what happened to the item).
        let stoppedAttempt = recordsSinceOnset.first { $0.endNanoseconds >= latchedAtNanoseconds && $0.startNanoseconds <= latchedAtNanoseconds }
        if attemptInProgress, let stoppedAttempt {
            let named = stoppedAttempt.faults.contains { $0.hasPrefix(latched) }
            let outcome = stoppedAttempt.outcome == .amnesty || stoppedAttempt.cause == "safety stop"
            if !named || !outcome {
                result.problems.append("the attempt in progress is not journaled as stopped by \(latched) "
                    + "(cause `safety stop` or an amnesty's own, the fault in its faults): " + (result.abortedAttempt ?? "no record"))
            }
        }
    }

    // MARK: - Ticks, the person, the journal

    /// Steps the executor through the next control tick (and the world, bus and perception ticks
    /// due before it), then journals a finished attempt.
    private func runControlTick() {
        while let step = robot.executor.step(), step.loopName != "control" {}
        journalFinishedAttempt()
    }

    /// Outputs at their safe values with the red light on, and quick stop posted to every drive.
    private func isSafe() -> Bool {
        guard robot.controller.controlLoop.snapshot.outputs == safeOutputs else { return false }
        for scheduler in robot.controller.busSchedulers {
            for index in scheduler.driveNames.indices where scheduler.postedSetpoint(driveAt: index) != .quickStop {
                return false
            }
        }
        return true
    }

    /// A person at the cell: acknowledges a safe hold; resets faults once the fault is over
    /// (again every second while the cycle stays stopped). Returns when a reset was given.
    @discardableResult
    private func personActs(faultEnded: Bool, lastReset: MonotonicInstant?) -> MonotonicInstant? {
        let now = robot.clock.now()
        switch robot.machine.state {
        case .safeHold:
            robot.machine.acknowledge()
        case .safeStop where faultEnded:
            let due = lastReset.map { $0.nanoseconds(until: now) >= 1_000_000_000 } ?? true
            let stoppedLongEnough = robot.controller.controlLoop.supervisor.faults.allSatisfy {
                $0.since.nanoseconds(until: now) >= Self.resetDelayNanoseconds
            }
            if due, stoppedLongEnough {
                robot.resetFaults()
                return now
            }
        default:
            break
        }
        return nil
    }

    /// When the current cell's first safety fault latched.
    private var latchedAtNanoseconds: UInt64 = 0
    /// Attempts journaled since the current cell's onset.
    private var recordsSinceOnset: [StowAttemptRecord] = []

    private func journalFinishedAttempt() {
        guard let record = robot.machine.finishedAttempt.read(), record.attemptIndex == nextRecordIndex else { return }
        var withFaults = record
        withFaults.faults += faultsInAttempt
        faultsInAttempt.removeAll()
        do {
            try journal.record(withFaults)
        } catch {
            return  // not acknowledged: the cycle waits in record, and the cell reports the gap
        }
        recordsSinceOnset.append(withFaults)
        nextRecordIndex += 1
        // Pods rotate as in a campaign: one robot runs a whole column, and a pod that is never
        // sent away fills up until every item is sidelined and the cells after it cannot start.
        let stowsPerPod = robot.config.sim?.world.stowsPerPod ?? 0
        if stowsPerPod > 0, nextRecordIndex % stowsPerPod == 0 {
            robot.eoat.world.swapPod()
        }
        robot.machine.acknowledgeRecorded(through: record.attemptIndex)
    }

    private func failedExchanges() -> UInt64 {
        robot.controller.busSchedulers.reduce(0) { sum, scheduler in
            sum + scheduler.latestReports().reduce(0) { $0 + $1.failedExchanges }
        }
    }
}
