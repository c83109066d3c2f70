import Config
import Foundation
import HAL
import SimHAL

/// `stowctl sim-drive --benchmark`: the cost of `SimDrive.step`, the part of the simulated EOAT
/// tick that runs four times per 1 ms tick. Not a timed test: numbers for the report.
enum SimDriveBenchmark {
    static let batches = 2000
    static let ticksPerBatch = 250

    static func run() {
        let drives = DriveRole.allCases.map { SimDrive(parameters: SimDriveParameters.defaults(for: $0)) }
        for drive in drives {
            let positional = drive.parameters.travelMM != nil
            try! drive.write(.modesOfOperation, value: positional ? 1 : 3)
            for word: Int64 in [0x06, 0x07, 0x0F] { try! drive.write(.controlword, value: word) }
        }
        var samples: [Double] = []
        samples.reserveCapacity(batches)
        var tick = 0
        for batch in 0..<batches {
            // Keep every axis moving: belts reverse, jaw and plank shuttle between two targets.
            for drive in drives {
                let speed = drive.parameters.maxSpeedMMPerS * drive.parameters.countsPerMM
                if let travel = drive.parameters.travelMM {
                    let target = batch % 2 == 0 ? travel.upperBound * 0.8 : travel.lowerBound + 1
                    try! drive.write(.targetPosition, value: Int64(target * drive.parameters.countsPerMM))
                    try! drive.write(.controlword, value: 0x0F)
                    try! drive.write(.controlword, value: 0x1F)
                } else {
                    try! drive.write(.targetVelocity, value: Int64(batch % 2 == 0 ? speed / 2 : -speed / 2))
                }
                drive.load = SimDriveLoad(resistingForceN: Double(batch % 7) * 3)
            }
            let start = MonotonicInstant.now()
            for _ in 0..<ticksPerBatch {
                for drive in drives { drive.step(byNanoseconds: 1_000_000) }
                tick += 1
            }
            let elapsed = Double(start.nanoseconds(until: MonotonicInstant.now()))
            samples.append(elapsed / Double(ticksPerBatch * drives.count))
        }
        samples.sort()
        let median = samples[samples.count / 2]
        let p99 = samples[samples.count * 99 / 100]
        let states = drives.map { "\($0.parameters.name) \($0.state.name)" }.joined(separator: ", ")
        print(String(format: "SimDrive.step: median %.1f ns, p99 %.1f ns per drive-step (%d ticks x %d drives; %@)",
                     median, p99, tick, drives.count, states))
    }
}
