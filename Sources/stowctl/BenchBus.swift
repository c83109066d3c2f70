import ArgumentParser
import Config
import Foundation
import HAL
import SimHAL

/// `stowctl bench bus`: what one drive bus cycle costs on the simulator, and what the control
/// tick pays to read a drive's report and post its setpoint.
struct BenchBus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        abstract: "Time the simulated drive bus: one cycle of every drive, and the tick's report reads and setpoint posts.",
        discussion: """
            Builds the simulated bus of --config with the real HAL stack on it (Modbus RTU client, \
            CiA 402 drives, bus scheduler on a virtual clock, as `stowctl sim` does), enables the \
            drives and sets the belts and the plank moving, then times bus cycles (every drive \
            once: set-points written, feedback read; 5 Modbus transactions per drive) in batches \
            of 100, and `latest(driveAt:)` and `post(_:toDriveAt:)` in batches of 1000 calls, as \
            the 1 kHz control tick makes them. The drive models are not stepped: only the bus is \
            timed. Build with -c release for figures.

            Example: swift build -c release && .build/release/stowctl bench bus --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config with a sim section.")
    var config: String = "firmware-config/sim.yaml"

    @Option(help: "Batches to time (100 cycles, or 1000 calls, each).")
    var batches: Int = 200

    @Flag(help: "Print figures as JSON.")
    var json = false

    func validate() throws {
        guard batches >= 10 else { throw ValidationError("--batches must be at least 10") }
    }

    func run() throws {
        try global.bootstrapLogging()
        let robot = try loadSimRobotConfig(path: config, command: "stowctl bench bus")
        let clock = ManualClock()
        let eoat = try SimEOAT(config: robot, clock: clock)
        eoat.world.outputs.driveEnable = true
        eoat.world.outputs.ready = true
        guard let busConfig = robot.buses.first(where: { bus in robot.drives.contains { $0.bus == bus.name } }),
              let bus = eoat.buses[busConfig.name] else {
            throw ValidationError("\(config) has no simulated drive bus")
        }
        let client = ModbusRTUClient(
            stream: bus.stream, settings: SerialSettings(baud: busConfig.baud),
            options: .init(responseTimeoutMilliseconds: busConfig.responseTimeoutMS, maxRetries: busConfig.retries,
                           interFrameGapNanoseconds: 0),
            busName: bus.name, clock: clock)
        let onBus = robot.drives.filter { $0.bus == busConfig.name }
        let drives: [MotorDrive] = try onBus.map { drive in
            try ModbusCiA402Drive(
                name: drive.role.rawValue, client: client, unit: UInt8(drive.unit),
                scaling: DriveScaling(countsPerMM: drive.countsPerMM, ratedCurrentMilliamps: drive.ratedCurrentMA))
        }
        let scheduler = try BusScheduler(
            busName: busConfig.name, drives: drives, options: .init(cycleRateHz: busConfig.pollHz), clock: clock)
        let period = scheduler.cyclePeriodNanoseconds
        let profile = DriveMotionProfile(velocityMMPerS: 200, accelerationMMPerS2: 2000, decelerationMMPerS2: 2000)
        func setpoint(_ controlword: UInt16) -> DriveSetpoint {
            DriveSetpoint(controlword: controlword, mode: .profileVelocity, targetVelocityMMPerS: 50, motionProfile: profile)
        }
        // Shutdown, switch on, enable operation: the walk the controller makes.
        for controlword: UInt16 in [0x06, 0x07, 0x0F, 0x0F] {
            for index in drives.indices { scheduler.post(setpoint(controlword), toDriveAt: index) }
            scheduler.runCycle()
            clock.advance(byNanoseconds: period)
        }
        let enabled = scheduler.latestReports().filter { report in
            report.feedback.map { CiA402State(statusword: $0.statusword) == .operationEnabled } ?? false
        }.count

        let cycleNanoseconds = timeBatches(perBatch: 100) {
            scheduler.runCycle()
            clock.advance(byNanoseconds: period)
        }
        var sink = 0.0
        let latestNanoseconds = timeBatches(perBatch: 1000) {
            for index in drives.indices { sink += scheduler.latest(driveAt: index).feedback?.positionMM ?? 0 }
        }
        let posted = setpoint(0x0F)
        let postNanoseconds = timeBatches(perBatch: 1000) {
            for index in drives.indices { scheduler.post(posted, toDriveAt: index) }
        }
        let statistics = client.statistics
        let cycle = percentile(cycleNanoseconds, 0.5)
        let perDrive = cycle / Double(drives.count)
        let transactionsPerCycle = Double(statistics.requests) / Double(max(1, scheduler.cycleTiming.cycles))
        let latest = percentile(latestNanoseconds, 0.5) / Double(drives.count)
        let post = percentile(postNanoseconds, 0.5) / Double(drives.count)
        if json {
            try printJSON([
                "drives": drives.count, "drives_enabled": enabled, "cycles": Double(scheduler.cycleTiming.cycles),
                "transactions_per_cycle": transactionsPerCycle, "failed_requests": Double(statistics.failedRequests),
                "cycle_median_ns": cycle, "cycle_p99_ns": percentile(cycleNanoseconds, 0.99),
                "exchange_median_ns": perDrive, "transaction_median_ns": cycle / transactionsPerCycle,
                "latest_median_ns": latest, "post_median_ns": post, "sink": sink.isFinite ? 0 : 1,
            ])
        } else {
            print("bus \(busConfig.name): \(drives.count) drives (\(enabled) enabled), "
                + "\(format2(transactionsPerCycle)) transactions per cycle, \(statistics.failedRequests) failed")
            print("cycle: median \(Int(cycle.rounded())) ns, p99 \(Int(percentile(cycleNanoseconds, 0.99).rounded())) ns; "
                + "\(Int(perDrive.rounded())) ns per drive exchange, \(Int((cycle / transactionsPerCycle).rounded())) ns per transaction")
            print("control tick: latest(driveAt:) \(format2(latest)) ns, post(_:toDriveAt:) \(format2(post)) ns per call (medians)")
        }
    }

    /// Nanoseconds per call of each batch of `perBatch` calls.
    private func timeBatches(perBatch: Int, _ body: () -> Void) -> [Double] {
        for _ in 0..<(perBatch * 10) { body() }
        var perCall: [Double] = []
        perCall.reserveCapacity(batches)
        for _ in 0..<batches {
            let start = MonotonicInstant.now()
            for _ in 0..<perBatch { body() }
            perCall.append(Double(start.nanoseconds(until: MonotonicInstant.now())) / Double(perBatch))
        }
        return perCall
    }

    private func percentile(_ values: [Double], _ share: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))]
    }
}
