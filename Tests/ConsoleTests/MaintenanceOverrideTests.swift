import Config
import Console
import Control
import HAL
import Testing

/// Maintenance mode's interlocks, limits and timeout, tick by tick against a recording stow cycle.
@Suite("Maintenance override")
struct MaintenanceOverrideTests {
    /// Stands in for the stow cycle: counts its steps and asks for green light.
    final class RecordingApplication: ControlApplication {
        var steps = 0

        func step(now: MonotonicInstant, inputs: EOATInputs, drives: PerDrive<DriveReport?>, safeStopped: Bool,
                  outputs: inout EOATOutputs, setpoints: inout PerDrive<DriveSetpoint>) {
            steps += 1
            outputs.towerLightGreen = true
        }
    }

    static func config() throws -> RobotConfig {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return try RobotConfig.load(path: path + "/firmware-config/sim.yaml")
    }

    struct Rig {
        let inner = RecordingApplication()
        let maintenance: MaintenanceOverride
        var now = MonotonicInstant(nanoseconds: 1_000_000_000)
        var inputs = EOATInputs()
        var outputs = EOATOutputs()
        var setpoints = PerDrive<DriveSetpoint>(all: .disabled)

        init() throws {
            maintenance = MaintenanceOverride(wrapping: inner, config: try MaintenanceOverrideTests.config())
        }

        mutating func tick(ms: UInt64 = 1, safeStopped: Bool = false) {
            now = now.adding(nanoseconds: ms * 1_000_000)
            maintenance.step(now: now, inputs: inputs, drives: PerDrive(all: nil), safeStopped: safeStopped,
                             outputs: &outputs, setpoints: &setpoints)
        }

        func handle(_ request: ConsoleRequest, state: String = "await_item") -> ConsoleReply? {
            maintenance.handle(request, now: now, stowState: state)
        }
    }

    private func refused(_ reply: ConsoleReply?) -> String? {
        if case let .refused(text) = reply { return text }
        return nil
    }

    @Test("disarmed, it is transparent: the stow cycle steps and maintenance commands are refused")
    func disarmedIsTransparent() throws {
        var rig = try Rig()
        rig.tick()
        #expect(rig.inner.steps == 1 && rig.outputs.towerLightGreen)
        #expect(refused(rig.handle(.jog(drive: .plank, velocityMMPerS: 10)))?.contains("arm maintenance") == true)
        #expect(refused(rig.handle(.set(signal: "eoat.ready", value: true)))?.contains("arm maintenance") == true)
        #expect(rig.handle(.resetFaults) == nil, "not a maintenance request")
    }

    @Test("arming is refused while a stow runs, with faults latched, or with the e-stop open")
    func armingInterlocks() throws {
        var rig = try Rig()
        rig.tick()
        #expect(refused(rig.handle(.armMaintenance, state: "insert"))?.contains("stow is in progress (state insert)") == true)
        rig.tick(safeStopped: true)
        #expect(refused(rig.handle(.armMaintenance))?.contains("reset faults") == true)
        rig.inputs.estop = true
        rig.tick()
        #expect(refused(rig.handle(.armMaintenance))?.contains("e-stop is open") == true)
        #expect(!rig.maintenance.isArmed)
    }

    @Test("armed, the stow cycle is frozen, outputs are held as set, and the amber light is on")
    func armedFreezesStowCycle() throws {
        var rig = try Rig()
        rig.tick()
        guard case .done = rig.handle(.armMaintenance) else { Issue.record("arming refused"); return }
        #expect(rig.handle(.set(signal: "eoat.band-separator.solenoid", value: true)) != nil)
        rig.tick()
        rig.tick()
        #expect(rig.inner.steps == 1)
        #expect(rig.outputs.bandSeparatorSolenoid && rig.outputs.towerLightAmber && !rig.outputs.ready)
        #expect(refused(rig.handle(.set(signal: "eoat.estop", value: true)))?.contains("only outputs") == true)
    }

    @Test("a jog above the configured share of the speed limit is refused, naming the limit")
    func jogSpeedCap() throws {
        var rig = try Rig()
        rig.tick()
        _ = rig.handle(.armMaintenance)
        // sim.yaml: plank speed 400 mm/s, jog_speed_share 0.25.
        #expect(rig.maintenance.jogLimitMMPerS(.plank) == 100)
        #expect(refused(rig.handle(.jog(drive: .plank, velocityMMPerS: -100.5)))?.contains("limit of 100.0 mm/s") == true)
        #expect(rig.handle(.jog(drive: .plank, velocityMMPerS: -100)) != nil && refused(rig.handle(.jog(drive: .plank, velocityMMPerS: -100))) == nil)
    }

    @Test("a latched fault or the e-stop disarms at once and hands back to the stow cycle")
    func faultDisarms() throws {
        var rig = try Rig()
        rig.tick()
        _ = rig.handle(.armMaintenance)
        rig.tick(safeStopped: true)
        #expect(!rig.maintenance.isArmed && rig.inner.steps == 2)
        #expect(rig.maintenance.lastDisarmReason?.contains("fault") == true)
        rig.tick()
        _ = rig.handle(.armMaintenance)
        rig.inputs.estop = true
        rig.tick()
        #expect(!rig.maintenance.isArmed)
        #expect(rig.maintenance.lastDisarmReason == "e-stop opened")
    }

    @Test("maintenance disarms after the configured time without a command; each command restarts it")
    func idleTimeoutDisarms() throws {
        var rig = try Rig()
        rig.tick()
        _ = rig.handle(.armMaintenance)
        rig.tick(ms: 100_000)
        _ = rig.handle(.jog(drive: .jaw, velocityMMPerS: 1))
        rig.tick(ms: 100_000)
        #expect(rig.maintenance.isArmed, "sim.yaml's timeout is 120 s; the jog restarted it")
        #expect(rig.maintenance.status(now: rig.now).secondsLeft == 20)
        rig.tick(ms: 20_001)
        #expect(!rig.maintenance.isArmed)
        #expect(rig.maintenance.lastDisarmReason?.contains("120 s") == true)
    }
}
