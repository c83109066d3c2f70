import ArgumentParser
import Config
import Control
import Foundation

/// `stowctl doctor`: is this machine ready to run the controller? Each check says what it found
/// and, when something is wrong, the fix.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine is ready to run the controller, and say how to fix what is not.",
        discussion: """
            Checks, each with what it found and the fix: the config is valid; the devices it names \
            (the GPIO chip and every EOAT line, the RS-485 ports, the console port, the watchdog) are \
            present and readable and writable by this user; every drive answers (its CiA 402 state is \
            read, nothing is written); the real-time regime (kernel preemption model, SCHED_FIFO, \
            memory locking, RT throttling, the control loop's CPU); the clock source.

            Exit status 0 when nothing failed (warnings allowed), 1 when something a deployment needs \
            failed. Run it as the service user to see what the service will see: \
            `sudo -u stow stowctl doctor --config /etc/stowctl/eoat.yaml` (the unit's capabilities \
            are not granted that way; `systemd-run -p User=stow -p AmbientCapabilities=CAP_SYS_NICE ...` does).

            Examples:
              stowctl doctor --config /etc/stowctl/eoat.yaml
              stowctl doctor --config firmware-config/sim.yaml --json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config to check (default: /etc/stowctl/eoat.yaml when it exists).")
    var config: String?

    @Flag(help: "Print the checks as JSON: {\"ready\": bool, \"checks\": [{area, name, status, found, fix}]}.")
    var json = false

    static let installedConfig = "/etc/stowctl/eoat.yaml"

    func run() throws {
        try global.bootstrapLogging()
        var checks: [DoctorCheck] = []
        var robot: RobotConfig?
        let path = config ?? (FileManager.default.fileExists(atPath: Self.installedConfig) ? Self.installedConfig : nil)
        if let path {
            let (check, loaded) = SystemChecks.config(path: path)
            checks.append(check)
            robot = loaded
        } else {
            checks.append(.warn("config", "config", "none given and \(Self.installedConfig) does not exist: devices not checked",
                                fix: "give --config FILE, or make install"))
        }
        if let robot {
            checks += DeviceChecks.all(robot)
        }
        checks += SystemChecks.realtime(RealtimeReport.capture(), config: robot)
        checks.append(SystemChecks.clockSource())

        let ready = !checks.contains { $0.status == .fail }
        if json {
            try printJSON(["ready": ready, "checks": checks.map(\.jsonObject)])
        } else {
            print(DoctorTable.render(checks))
        }
        if !ready { throw ExitCode(1) }
    }
}
