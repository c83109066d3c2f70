import Config
import HAL

/// The simulated EOAT and pod: drives, switches, the arm, the band separator, the induct and the
/// items, stepped together in fixed time steps. Outcomes (placed, fell out, damaged, jammed) come
/// out of the mechanics in `World/Mechanics`, never from a dice roll on the outcome.
///
/// Single-threaded: the owner steps it and reads it from one thread (the virtual-time executor,
/// or the paced simulation loop).
public final class SimWorld {
    public private(set) var time: MonotonicInstant
    public var pod: SimPod
    public let drives: SimDriveSet
    public internal(set) var arm: SimArm
    /// What the controller last wrote to each output.
    public var outputs = EOATOutputs()
    /// The e-stop chain: true while an e-stop button is pressed (it also cuts torque in hardware).
    public var estopPressed = false
    /// The band separator hook: 0 retracted, 1 deployed.
    public internal(set) var separatorPosition = 0.0
    /// Everything that happened, in order.
    public internal(set) var events: [SimEvent] = []
    /// Called for every event as it happens (logging).
    public var onEvent: ((SimEvent) -> Void)?

    /// The item waiting at the induct, and when the next one arrives.
    public internal(set) var inductItem: (item: SimItem, catalog: ItemCatalogEntry)?
    var nextArrival: MonotonicInstant
    var itemStream: ItemStream
    /// The item between the jaws, if any.
    public internal(set) var held: HeldItem?
    /// Drive positions at the previous step, to turn belt motion into item motion.
    var lastBeltPositionMM: (left: Double, right: Double)
    /// Bin the bands are held open at.
    var openBandsBin: Int?
    /// Resting items already recorded as damaged (each is recorded once).
    var damagedContent: Set<String> = []
    let bandStiffnessNPerMM: Double

    /// Time between an item leaving the induct and the next one arriving.
    public var inductIntervalNanoseconds: UInt64 = 500_000_000

    private let simConfig: SimConfig
    /// Pods that have visited so far (the first one included).
    public private(set) var podVisits = 1

    public init(sim: SimConfig, drives: SimDriveSet = .standard(), start: MonotonicInstant = MonotonicInstant(nanoseconds: 0)) {
        simConfig = sim
        time = start
        pod = SimPod(config: sim.pod, seed: sim.seed, profile: sim.world)
        self.drives = drives
        arm = SimArm(moveMS: sim.world.armMoveMS(configuredMS: sim.armMoveMS))
        itemStream = ItemStream(seed: sim.seed, profile: sim.world)
        nextArrival = start
        lastBeltPositionMM = (drives.leftBelt.positionMM, drives.rightBelt.positionMM)
        bandStiffnessNPerMM = sim.pod.bandStiffnessNPerMM
    }

    /// The world of a robot config (`backend: sim`), with its drives as configured.
    public convenience init(config: RobotConfig, start: MonotonicInstant = MonotonicInstant(nanoseconds: 0)) throws {
        guard let sim = config.sim else {
            throw HALError(device: "sim", cause: .invalidRequest("\(config.file) has no sim section; add one or use backend: linux"))
        }
        self.init(sim: sim, drives: try SimDriveSet(drives: config.drives), start: start)
    }

    /// The pod leaves the station and the next one arrives, with its own seeded contents (as a
    /// stow station's pods rotate). Deterministic: the n-th pod of a seed is always the same.
    public func swapPod() {
        podVisits += 1
        pod = SimPod(config: simConfig.pod, seed: simConfig.seed &+ UInt64(podVisits) &* 7919, profile: simConfig.world)
        openBandsBin = nil
        record(.podSwapped, "pod-\(podVisits)", "")
    }

    /// The bin the arm is at, if any. Kept up to date as the arm's station changes (a request,
    /// an arrival): finding it by name is sixteen string comparisons, and the mechanics ask
    /// several times a step. Pods share one layout, so a pod swap does not change it.
    public private(set) var armBinIndex: Int?
    /// The bin the arm was asked to leave and has not yet started to move away from.
    private var departingBin: Int?

    private func refreshArmBinIndex() {
        guard case let .bin(name)? = arm.station else {
            armBinIndex = nil
            return
        }
        armBinIndex = pod.index(ofBin: name)
    }

    /// Advances the world by one step. Steps of 1 ms or less keep the mechanics honest.
    public func step(byNanoseconds nanoseconds: UInt64) {
        let torque = outputs.driveEnable && !estopPressed
        drives.jaw.torqueEnabled = torque
        drives.leftBelt.torqueEnabled = torque
        drives.rightBelt.torqueEnabled = torque
        drives.plank.torqueEnabled = torque
        drives.jaw.load = jawLoad()
        let beltLoad = beltLoadPerBelt()
        drives.leftBelt.load = beltLoad
        drives.rightBelt.load = beltLoad
        drives.plank.load = plankLoad()

        drives.jaw.step(byNanoseconds: nanoseconds)
        drives.leftBelt.step(byNanoseconds: nanoseconds)
        drives.rightBelt.step(byNanoseconds: nanoseconds)
        drives.plank.step(byNanoseconds: nanoseconds)
        time = time.adding(nanoseconds: nanoseconds)

        stepSeparator(byNanoseconds: nanoseconds)
        // The tool leaves a bin when the arm starts to move away, not when the move is asked for
        // (the arm waits for eoat.ready).
        if let bin = departingBin, outputs.ready {
            departingBin = nil
            toolLeftBin(bin)
        }
        if arm.step(byNanoseconds: nanoseconds, ready: outputs.ready) {
            refreshArmBinIndex()
            record(.armArrived, arm.target.description, "")
        }
        updateBands()
        updateGrip()
        updateItemTravel()
        updatePlankPush()
        updateInduct()
    }

    /// Steps in `stepNanoseconds` increments until `instant`.
    public func advance(to instant: MonotonicInstant, stepNanoseconds: UInt64 = 1_000_000) {
        while time < instant {
            step(byNanoseconds: min(stepNanoseconds, time.nanoseconds(until: instant)))
        }
    }

    /// The value of an input line, from the world's state.
    public func input(_ signal: SimInputSignal) -> Bool {
        switch signal {
        case .estop: return estopPressed
        case .itemInJaw: return held?.isBetweenJaws ?? false
        case .itemAtInduct: return inductItem != nil
        case .plankHome:
            return drives.plank.positionMM <= (drives.plank.parameters.travelMM?.lowerBound ?? 0) + 2
        case .plankExtended:
            return drives.plank.positionMM >= (drives.plank.parameters.travelMM?.upperBound ?? 0) - 5
        case .jawOpen:
            return drives.jaw.positionMM >= (drives.jaw.parameters.travelMM?.upperBound ?? 0) - 3
        case .bandSeparatorDeployed: return separatorPosition >= 0.95
        case .armInPosition: return arm.inPosition
        }
    }

    /// Asks the arm for a pose (the `ArmLink` of the simulator calls this).
    public func requestArmMove(to pose: ArmPose) throws {
        if case let .bin(name) = pose.station {
            guard let index = pod.index(ofBin: name) else {
                throw HALError(device: "arm", cause: .invalidRequest("no bin named \(name) on the pod"))
            }
            let bin = pod.bins[index]
            guard (0...bin.widthMM).contains(pose.xMM), (-200...bin.depthMM).contains(pose.advanceMM) else {
                throw HALError(device: "arm", cause: .invalidRequest("pose \(pose) is outside bin \(name)"))
            }
        }
        if let bin = armBinIndex, pose.station != arm.station {
            departingBin = bin
        }
        arm.request(pose)
        refreshArmBinIndex()
    }

    func record(_ kind: SimEvent.Kind, _ subject: String, _ detail: String) {
        let event = SimEvent(time: time, kind: kind, subject: subject, detail: detail)
        events.append(event)
        onEvent?(event)
    }

    private func stepSeparator(byNanoseconds nanoseconds: UInt64) {
        let stroke = Double(nanoseconds) / (SimPhysics.bandSeparatorStrokeMS * 1_000_000)
        if outputs.bandSeparatorSolenoid {
            separatorPosition = min(1, separatorPosition + stroke)
        } else {
            separatorPosition = max(0, separatorPosition - stroke)
        }
    }
}
