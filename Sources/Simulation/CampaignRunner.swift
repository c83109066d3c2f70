import Config
import Control
import Foundation
import HAL
import SimHAL

/// Runs a stow campaign on a simulated robot and tallies it in the paper's terms.
///
/// Outcomes are the world's ground truth: an attempt during which anything was damaged counts as
/// damage, one during which anything fell out as amnesty; otherwise the controller's own verdict
/// (success after verification, or unproductive with its cause) stands. The controller's verdict
/// is what the journal's cause keeps when the truth overrides it.
///
/// Each finished attempt goes to the journal (when one is given) before the stow cycle may start
/// the next. A resumed campaign re-simulates the attempts already journaled (the simulation is
/// deterministic) without writing them again, then carries on.
public final class CampaignRunner {
    public struct Options {
        public var stows: Int
        public var journal: StowJournaling?
        /// Attempts already in the journal for this campaign.
        public var resumeFrom: Int
        /// A campaign with no finished attempt for this long (simulated) has stalled.
        public var stallSeconds: Double
        /// Attempts per pod visit: then the next pod arrives with fresh contents. Nil: the world
        /// profile's (`SimWorldProfile.stowsPerPod`).
        public var stowsPerPod: Int?
        /// Called after every attempt with the running tally.
        public var onAttempt: ((StowAttemptRecord, CampaignResult) -> Void)?
        /// Every stow cycle transition (for `--log-level debug`).
        public var onTransition: ((StowMachine.Transition) -> Void)?

        public init(stows: Int, journal: StowJournaling? = nil, resumeFrom: Int = 0, stallSeconds: Double = 120, stowsPerPod: Int? = nil,
                    onAttempt: ((StowAttemptRecord, CampaignResult) -> Void)? = nil,
                    onTransition: ((StowMachine.Transition) -> Void)? = nil) {
            self.stows = stows
            self.journal = journal
            self.resumeFrom = resumeFrom
            self.stallSeconds = stallSeconds
            self.stowsPerPod = stowsPerPod
            self.onAttempt = onAttempt
            self.onTransition = onTransition
        }
    }

    /// The campaign stopped making progress: says where the stow cycle was stuck.
    public struct Stalled: Error, CustomStringConvertible {
        public var description: String
    }

    public let robot: SimulatedRobot
    public let options: Options
    private var result: CampaignResult
    private var eventCursor = 0
    private var recentTransitions: [String] = []
    /// Safety faults seen since the last recorded attempt, for its record.
    private var faultsInAttempt: [String] = []

    public init(robot: SimulatedRobot, configFile: String, options: Options) {
        self.robot = robot
        self.options = options
        let sim = robot.config.sim
        result = CampaignResult(
            campaignID: robot.machine.campaignID, seed: sim?.seed ?? 0, world: sim?.world.rawValue ?? "default",
            configFile: configFile, attempts: 0, counts: [:], simulatedSeconds: 0, wallSeconds: 0, phaseSeconds: [:],
            retries: 0, explorationCount: 0, faultsByKind: [:], nonSuccessCauses: [:],
            controlLatenessBucketsMicroseconds: [], controlLatenessCounts: [], resumedFrom: options.resumeFrom)
    }

    public func run() throws -> CampaignResult {
        let wallStart = MonotonicInstant.now()
        var nextIndex = 0
        var lastProgress = robot.clock.now()
        var lastReset: MonotonicInstant?
        let previousHook = robot.machine.onTransition
        robot.machine.onTransition = { [weak self] transition in
            previousHook?(transition)
            self?.options.onTransition?(transition)
            self?.remember(transition)
        }
        defer { robot.machine.onTransition = previousHook }
        // Loop statistics are read once, after `finish()`; refreshing them every 10 ms cost most
        // of the wall time, and every simulated second still 5 %.
        robot.executor.summaryRefreshIntervalNanoseconds = 60_000_000_000
        while nextIndex < options.stows {
            robot.executor.run(forNanoseconds: 10_000_000)
            if robot.machine.state == .safeHold {
                robot.machine.acknowledge()  // the simulated person picks up what fell
            }
            // The simulated person resets faults once a second while the cycle is stopped.
            if robot.machine.state == .safeStop, lastReset.map({ $0.nanoseconds(until: robot.clock.now()) >= 1_000_000_000 }) ?? true {
                robot.resetFaults()
                lastReset = robot.clock.now()
            }
            if let record = robot.machine.finishedAttempt.read(), record.attemptIndex == nextIndex {
                let judged = judge(record)
                // Attempts already journaled are re-simulated (same seed, same attempt) but not rewritten.
                if nextIndex >= options.resumeFrom {
                    try options.journal?.record(judged)
                }
                tally(judged)
                result.simulatedSeconds = robot.simulatedSeconds
                result.wallSeconds = Double(wallStart.nanoseconds(until: MonotonicInstant.now())) / 1e9
                options.onAttempt?(judged, result)
                nextIndex += 1
                let stowsPerPod = options.stowsPerPod ?? robot.config.sim?.world.stowsPerPod ?? 0
                if stowsPerPod > 0, nextIndex % stowsPerPod == 0 {
                    robot.eoat.world.swapPod()
                }
                robot.machine.acknowledgeRecorded(through: nextIndex - 1)
                lastProgress = robot.clock.now()
            }
            if Double(lastProgress.nanoseconds(until: robot.clock.now())) / 1e9 > options.stallSeconds {
                throw Stalled(description: "no stow finished for \(Int(options.stallSeconds)) s of simulated time; the cycle is in "
                    + "\(robot.machine.state.rawValue); latched faults: "
                    + "\(robot.controller.controlLoop.supervisor.faults.map(\.description).joined(separator: "; "))"
                    + ". Last transitions:\n  " + recentTransitions.joined(separator: "\n  "))
            }
        }
        result.simulatedSeconds = robot.simulatedSeconds
        result.wallSeconds = Double(wallStart.nanoseconds(until: MonotonicInstant.now())) / 1e9
        robot.executor.finish()
        addLoopFigures()
        return result
    }

    /// The world's ground truth for the attempt: what fell or broke while it ran.
    private func judge(_ record: StowAttemptRecord) -> StowAttemptRecord {
        var judged = record
        judged.faults += faultsInAttempt
        faultsInAttempt.removeAll()
        let events = robot.eoat.world.events
        var damage: SimEvent?
        var fell: SimEvent?
        var placed: SimEvent?
        while eventCursor < events.count {
            let event = events[eventCursor]
            if event.time.nanoseconds > record.endNanoseconds { break }
            switch event.kind {
            case .damage, .toolCollision: damage = damage ?? event
            case .itemFell, .contentFell: fell = fell ?? event
            case .itemPlaced where event.subject == record.itemID: placed = event
            default: break
            }
            eventCursor += 1
        }
        let controllerSaid = record.outcome == .success ? "controller verified success" : "controller: \(record.cause)"
        if let damage {
            judged.outcome = .damage
            judged.cause = "\(damage.subject) damaged: \(damage.detail) (\(controllerSaid))"
        } else if let fell {
            judged.outcome = .amnesty
            judged.cause = "\(fell.subject) fell out: \(fell.detail) (\(controllerSaid))"
        } else if placed != nil {
            judged.outcome = .success
            judged.cause = record.outcome == .success ? "" : "placed, but \(controllerSaid)"
        } else if record.outcome == .success {
            judged.outcome = .unproductive
            judged.cause = "not in the bin, but the controller verified success"
        }
        return judged
    }

    private func tally(_ record: StowAttemptRecord) {
        result.attempts += 1
        result.counts[record.outcome, default: 0] += 1
        result.retries += record.retries
        result.explorationCount += record.exploration ? 1 : 0
        for phase in record.phases {
            result.phaseSeconds[phase.phase, default: 0] += Double(phase.endNanoseconds - phase.startNanoseconds) / 1e9
        }
        for fault in record.faults {
            let kind = String(fault.prefix { $0 != " " })
            result.faultsByKind[kind, default: 0] += 1
        }
        if record.outcome != .success {
            result.nonSuccessCauses[Self.causeClass(record.cause), default: 0] += 1
        }
    }

    /// Causes without their numbers, so alike causes count together
    /// (`plank force limit: 3600 mA at 120 mm` → `plank force limit: # mA at # mm`).
    static func causeClass(_ cause: String) -> String {
        var text = ""
        var inNumber = false
        for character in cause {
            if character.isNumber {
                if !inNumber { text.append("#") }
                inNumber = true
            } else if inNumber && character == "." {
                continue
            } else {
                inNumber = false
                text.append(character)
            }
        }
        return text
    }

    /// The control loop's execution-time percentiles, as the report's histogram buckets.
    private func addLoopFigures() {
        let snapshot = robot.controller.control.statisticsSnapshot()
        let summary = snapshot.execution
        guard summary.samples > 0 else { return }
        let bounds = [summary.p50Nanoseconds, summary.p99Nanoseconds, summary.p999Nanoseconds, summary.maxNanoseconds]
        result.controlLatenessBucketsMicroseconds = bounds.map { Double($0) / 1000 }
        let samples = Double(summary.samples)
        result.controlLatenessCounts = [Int(samples * 0.5), Int(samples * 0.49), Int(samples * 0.009), max(1, Int(samples * 0.001))]
    }

    private func remember(_ transition: StowMachine.Transition) {
        if recentTransitions.count == 12 { recentTransitions.removeFirst() }
        let seconds = Double(transition.time.nanoseconds) / 1e9
        var line = "\(seconds) s \(transition.from.rawValue) -\(transition.event.rawValue)-> \(transition.to.rawValue): \(transition.cause)"
        if transition.to == .safeStop {
            let faults = robot.controller.controlLoop.supervisor.faults.map(\.description)
            faultsInAttempt.append(contentsOf: faults)
            line += " [" + faults.joined(separator: "; ") + "]"
        }
        recentTransitions.append(line)
    }
}
