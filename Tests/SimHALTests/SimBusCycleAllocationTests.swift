import AllocationCounter
import Config
import HAL
import Testing

@testable import SimHAL

/// The whole drive bus of a simulated campaign, the real HAL stack on the simulated line: in
/// steady state a bus cycle (four drives, five Modbus transactions each) and the control tick's
/// report reads and setpoint posts make no heap allocation.
@Suite("Simulated bus cycle allocations")
struct SimBusCycleAllocationTests {
    /// False in an ASan/TSan build: the sanitizer owns malloc, so the counter is compiled out.
    static let counting = allocation_counter_available() != 0

    @Test("bus cycles, report reads and setpoint posts on the simulated bus make no heap allocation")
    func busCycleDoesNotAllocate() throws {
        let roles: [DriveRole] = [.jaw, .leftBelt, .rightBelt, .plank]
        var units: [UInt8: SimDrive] = [:]
        for (index, role) in roles.enumerated() {
            units[UInt8(index + 1)] = SimDrive(parameters: SimDriveParameters.defaults(for: role))
        }
        let bus = SimModbusBus(name: "bus0", drives: units, seed: 7)
        let clock = ManualClock()
        let client = ModbusRTUClient(
            stream: bus.stream, settings: SerialSettings(baud: 460_800),
            options: .init(responseTimeoutMilliseconds: 15, maxRetries: 2, interFrameGapNanoseconds: 0), busName: "bus0", clock: clock)
        let drives: [MotorDrive] = try roles.indices.map { index in
            let parameters = units[UInt8(index + 1)]!.parameters
            return try ModbusCiA402Drive(
                name: parameters.name, client: client, unit: UInt8(index + 1),
                scaling: DriveScaling(countsPerMM: parameters.countsPerMM, ratedCurrentMilliamps: parameters.ratedCurrentMA))
        }
        let scheduler = try BusScheduler(busName: "bus0", drives: drives, options: .init(cycleRateHz: 12), clock: clock)
        let profile = DriveMotionProfile(velocityMMPerS: 100, accelerationMMPerS2: 1000, decelerationMMPerS2: 1000)
        func cycle(_ controlword: UInt16) {
            for index in drives.indices {
                scheduler.post(
                    DriveSetpoint(controlword: controlword, mode: .profileVelocity, targetVelocityMMPerS: 20, motionProfile: profile),
                    toDriveAt: index)
            }
            clock.advance(byNanoseconds: scheduler.cyclePeriodNanoseconds)
            bus.step(byNanoseconds: scheduler.cyclePeriodNanoseconds)
            scheduler.runCycle()
        }
        // Warm up: the walk to operation enabled, buffers sized, runtime caches filled.
        for controlword: UInt16 in [0x06, 0x07, 0x0F, 0x0F, 0x0F] { cycle(controlword) }
        for index in drives.indices {
            let state = scheduler.latest(driveAt: index).feedback.flatMap { CiA402State(statusword: $0.statusword) }
            #expect(state == .operationEnabled, "\(scheduler.latest(driveAt: index).name): \(String(describing: state))")
        }

        var moving = 0
        allocation_counter_start()
        for _ in 0..<200 {
            cycle(0x0F)
            for index in drives.indices where (scheduler.latest(driveAt: index).feedback?.velocityMMPerS ?? 0) > 0 {
                moving += 1
            }
        }
        let allocations = allocation_counter_stop()
        #expect(moving > 0)
        #expect(client.statistics.failedRequests == 0)
        if Self.counting {
            #expect(allocations == 0)
        }
    }
}
