import ArgumentParser
import Foundation
import HAL

/// `stowctl drive jog`: run a drive at a velocity for a while, then stop and disable it.
struct DriveJog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jog",
        abstract: "Run the drive in profile-velocity mode for a set time, then stop it and disable it.",
        discussion: """
            Enables the drive, runs it at --velocity-mm-s for --seconds while printing feedback, \
            then commands zero velocity, waits for the drive to stop, and disables it. Ctrl-C \
            (or SIGTERM) stops early the same way. With --config the velocity may not exceed the \
            drive's configured speed limit.
            """
    )

    @OptionGroup var options: DriveCommonOptions

    @Option(name: .customLong("velocity-mm-s"), help: "Jog velocity in mm/s (negative runs backwards).")
    var velocityMMPerS: Double

    @Option(help: "How long to jog, in seconds.")
    var seconds: Double = 1

    @Option(name: .customLong("period-ms"), help: "Exchange period while jogging, in ms.")
    var periodMS: Double = 50

    func validate() throws {
        guard velocityMMPerS.isFinite, seconds > 0, seconds <= 600, periodMS >= 5 else {
            throw ValidationError("--seconds must be in (0, 600], --period-ms at least 5, --velocity-mm-s finite")
        }
    }

    func run() throws {
        try options.global.bootstrapLogging()
        let signals = TerminationSignals()
        let connection = try options.connection.open()
        defer { connection.stream.close() }
        if let limit = connection.speedLimitMMPerS, abs(velocityMMPerS) > limit {
            throw ValidationError("--velocity-mm-s \(velocityMMPerS) exceeds the drive's speed limit of \(format(limit)) mm/s in the config")
        }
        let drive = connection.drive
        try drive.enable(deadline: .inMilliseconds(options.deadlineMS))
        var stoppedBy = "time"
        do {
            let end = MonotonicInstant.inMilliseconds(seconds * 1000)
            let run = DriveSetpoint(controlword: CiA402Controlword.enableOperation.rawValue, mode: .profileVelocity,
                                    targetVelocityMMPerS: velocityMMPerS)
            while MonotonicInstant.now() < end {
                let feedback = try drive.exchange(run, deadline: .inMilliseconds(options.deadlineMS))
                report(feedback)
                if let signal = signals.wait(seconds: periodMS / 1000) {
                    stoppedBy = TerminationSignals.name(signal)
                    break
                }
            }
        } catch {
            // Whatever went wrong, try to leave the drive stopped and disabled before reporting it.
            stop(drive)
            throw error
        }
        stop(drive)
        if !options.json {
            print("jog ended (\(stoppedBy)); drive stopped and disabled")
        }
    }

    private func report(_ feedback: DriveFeedback) {
        if options.json {
            let line: [String: Any] = [
                "state": CiA402State(statusword: feedback.statusword)?.name ?? "unknown",
                "position_mm": feedback.positionMM, "velocity_mm_s": feedback.velocityMMPerS,
                "current_ma": feedback.currentMilliamps,
            ]
            try? printJSON(line)
        } else {
            print("position \(format2(feedback.positionMM)) mm  velocity \(format2(feedback.velocityMMPerS)) mm/s  current \(format2(feedback.currentMilliamps)) mA")
        }
    }

    /// Zero velocity, wait for standstill (bounded), then disable.
    private func stop(_ drive: ModbusCiA402Drive) {
        let halt = DriveSetpoint(controlword: CiA402Controlword.enableOperation.rawValue, mode: .profileVelocity, targetVelocityMMPerS: 0)
        let giveUp = MonotonicInstant.inMilliseconds(options.deadlineMS)
        while MonotonicInstant.now() < giveUp {
            guard let feedback = try? drive.exchange(halt, deadline: .inMilliseconds(options.deadlineMS)) else { break }
            if abs(feedback.velocityMMPerS) < 0.5 { break }
            usleep(UInt32(periodMS * 1000))
        }
        try? drive.disable(deadline: .inMilliseconds(options.deadlineMS))
    }
}
