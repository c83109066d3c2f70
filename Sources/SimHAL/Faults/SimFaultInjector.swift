import Config
import HAL

/// Starts and ends injected faults on time, on a stow phase, or at once, and logs each start and
/// end as a world event (`fault-started`, `fault-ended`). Nothing happens here while no fault is
/// scheduled, so a clean campaign pays one check per step. Used from the one thread that steps
/// the world (hence `@unchecked Sendable`).
public final class SimFaultInjector: @unchecked Sendable {
    private struct Active {
        var spec: SimFaultSpec
        var endsAt: MonotonicInstant?
    }

    private let world: SimWorld
    private let lines: SimLineFaults
    private let camera: SimDepthCamera?
    private let buses: [String: SimBusLink]
    private var pending: [SimFaultSpec] = []
    private var active: [Active] = []
    private var phase: StowPhase?
    private var slowTickNanoseconds: UInt64 = 0
    /// `at T` triggers count from here.
    private let start: MonotonicInstant

    init(world: SimWorld, lines: SimLineFaults, camera: SimDepthCamera?, buses: [String: SimBusLink]) {
        self.world = world
        self.lines = lines
        self.camera = camera
        self.buses = buses
        start = world.time
    }

    /// Faults active now, as written.
    public var activeFaults: [String] { active.map(\.spec.description) }
    /// Faults waiting for their time or phase.
    public var pendingFaults: [String] { pending.map(\.description) }

    /// Adds a fault. Throws when it names a bus the simulation does not have.
    public func schedule(_ spec: SimFaultSpec) throws {
        switch spec.kind {
        case let .serialTimeout(bus), let .serialCRC(bus), let .serialGarble(bus):
            guard buses[bus] != nil else {
                throw HALError(device: "sim", cause: .invalidRequest(
                    "no bus named \(bus); buses are \(buses.keys.sorted().joined(separator: ", "))"))
            }
        case .cameraDrop, .cameraFreeze, .cameraStale:
            guard camera != nil else {
                throw HALError(device: "sim", cause: .invalidRequest("this simulation has no camera"))
            }
        case let .inputStuck(signal, _), let .inputBounce(signal):
            guard SimInputSignal(rawValue: signal) != nil else {
                throw HALError(device: "sim", cause: .invalidRequest("no simulated input named \(signal)"))
            }
        default:
            break
        }
        pending.append(spec)
        update()
    }

    /// The controller entered a stow phase: start faults waiting for it.
    public func phaseDidChange(to newPhase: StowPhase?) {
        phase = newPhase
        update()
    }

    /// Starts due faults and ends expired ones. Call once per world step.
    public func update() {
        guard !pending.isEmpty || !active.isEmpty else { return }
        let now = world.time
        var index = 0
        while index < pending.count {
            let spec = pending[index]
            let due: Bool
            switch spec.trigger {
            case .now: due = true
            case let .at(offset): due = now >= start.adding(nanoseconds: offset)
            case let .phase(wanted): due = phase == wanted
            }
            if due {
                pending.remove(at: index)
                start(spec, now: now)
            } else {
                index += 1
            }
        }
        index = 0
        while index < active.count {
            if let end = active[index].endsAt, now >= end {
                let ended = active.remove(at: index)
                stop(ended.spec)
            } else {
                index += 1
            }
        }
    }

    /// Ends every active fault and forgets pending ones whose kind is `kindName` (all when nil).
    public func clear(kindName: String? = nil) {
        pending.removeAll { kindName == nil || $0.kindName == kindName }
        let ending = active.filter { kindName == nil || $0.spec.kindName == kindName }
        active.removeAll { kindName == nil || $0.spec.kindName == kindName }
        for fault in ending { stop(fault.spec) }
    }

    /// Extra virtual time the next control tick takes (the `slow-tick` fault); reading it uses it up.
    public func takeSlowTickNanoseconds() -> UInt64 {
        defer { slowTickNanoseconds = 0 }
        return slowTickNanoseconds
    }

    private func start(_ spec: SimFaultSpec, now: MonotonicInstant) {
        world.record(.faultStarted, spec.kindName, spec.description)
        var oneShot = false
        switch spec.kind {
        case let .serialTimeout(bus): _ = buses[bus]?.inject(.silent, spec.linkSchedule)
        case let .serialCRC(bus): _ = buses[bus]?.inject(.corruptedCRC, spec.linkSchedule)
        case let .serialGarble(bus): _ = buses[bus]?.inject(.garbledFrame, spec.linkSchedule)
        case let .driveFault(role, code):
            world.drives.drive(role).inject(.errorCode(code))
            oneShot = true  // the drive latches it; a fault reset clears it
        case let .driveStall(role): world.drives.drive(role).inject(.stall)
        case let .driveFrozenFeedback(role): world.drives.drive(role).inject(.frozenFeedback)
        case let .inputStuck(name, value):
            if let signal = SimInputSignal(rawValue: name) { lines.stick(signal, at: value) }
        case let .inputBounce(name):
            guard let signal = SimInputSignal(rawValue: name) else { break }
            lines.bounce(signal, until: now.adding(nanoseconds: spec.durationNanoseconds ?? 50_000_000))
        case .estop: world.estopPressed = true
        case .cameraDrop: camera?.dropFrames = true
        case .cameraFreeze: camera?.freezeFrames = true
        case let .cameraStale(by): camera?.staleByNanoseconds = by
        case let .slowTick(by):
            slowTickNanoseconds += by
            oneShot = true
        }
        if oneShot {
            world.record(.faultEnded, spec.kindName, spec.description)
            return
        }
        active.append(Active(spec: spec, endsAt: spec.durationNanoseconds.map { now.adding(nanoseconds: $0) }))
    }

    private func stop(_ spec: SimFaultSpec) {
        switch spec.kind {
        case let .serialTimeout(bus): _ = buses[bus]?.clearFault(.silent)
        case let .serialCRC(bus): _ = buses[bus]?.clearFault(.corruptedCRC)
        case let .serialGarble(bus): _ = buses[bus]?.clearFault(.garbledFrame)
        case let .driveStall(role), let .driveFrozenFeedback(role): world.drives.drive(role).clearInjectedFaults()
        case .driveFault: break
        case let .inputStuck(name, _), let .inputBounce(name):
            if let signal = SimInputSignal(rawValue: name) { lines.clear(signal) }
        case .estop: world.estopPressed = false
        case .cameraDrop: camera?.dropFrames = false
        case .cameraFreeze: camera?.freezeFrames = false
        case .cameraStale: camera?.staleByNanoseconds = 0
        case .slowTick: break
        }
        world.record(.faultEnded, spec.kindName, spec.description)
    }
}

extension SimFaultSpec {
    var linkSchedule: SimLinkFaultSchedule {
        burst.map { .burst($0) } ?? .rate(rate)
    }
}
