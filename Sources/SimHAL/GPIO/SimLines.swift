import Config
import HAL

/// A simulated input line: reads the world's state, unless a fault holds it stuck or makes it
/// bounce. Values are logical, as from the Linux backend (active-low is already undone).
public final class SimInput: DigitalInput {
    public let name: String
    public let signal: SimInputSignal
    private let world: SimWorld
    private let faults: SimLineFaults

    init(signal: SimInputSignal, world: SimWorld, faults: SimLineFaults) {
        name = signal.rawValue
        self.signal = signal
        self.world = world
        self.faults = faults
    }

    public func read() throws -> Bool {
        faults.value(of: signal, world: world)
    }
}

/// A simulated output line: what the controller writes reaches the world (the solenoid, STO,
/// the arm interlock, the tower light).
public final class SimOutput: DigitalOutput {
    public let name: String
    public let signal: SimOutputSignal
    public let safeValue: Bool
    private let world: SimWorld
    private let index: Int

    init(signal: SimOutputSignal, safeValue: Bool, world: SimWorld) {
        name = signal.rawValue
        self.signal = signal
        index = signal.outputIndex
        self.safeValue = safeValue
        self.world = world
    }

    public func write(_ value: Bool) throws {
        world.outputs[index] = value
    }
}

/// Input faults: a line stuck at a value, or bouncing (toggling at random every millisecond or
/// so) until a given time. Deterministic from the seed.
public final class SimLineFaults {
    private var stuck: [SimInputSignal: Bool] = [:]
    private var bouncingUntil: [SimInputSignal: MonotonicInstant] = [:]
    private var random: SimRandom

    init(seed: UInt64) {
        random = SimRandom(seed: seed, stream: .inputBounce)
    }

    var isEmpty: Bool { stuck.isEmpty && bouncingUntil.isEmpty }

    func stick(_ signal: SimInputSignal, at value: Bool) { stuck[signal] = value }
    func bounce(_ signal: SimInputSignal, until end: MonotonicInstant) { bouncingUntil[signal] = end }

    func clear(_ signal: SimInputSignal) {
        stuck[signal] = nil
        bouncingUntil[signal] = nil
    }

    func value(of signal: SimInputSignal, world: SimWorld) -> Bool {
        if isEmpty { return world.input(signal) }
        if let value = stuck[signal] { return value }
        if let end = bouncingUntil[signal], world.time < end {
            return random.chance(0.5)
        }
        return world.input(signal)
    }
}
