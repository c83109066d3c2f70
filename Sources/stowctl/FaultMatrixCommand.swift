import ArgumentParser
import Config
import Control
import Foundation
import Journal
import Simulation

/// `stowctl fault-matrix`: every injectable fault in every stow state on the simulated robot,
/// printed as a table; exit 1 on any bad cell. `make fault-matrix` runs it.
struct FaultMatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault-matrix",
        abstract: "Inject every simulated fault in every stow state and check the controller's reaction.",
        discussion: """
            For each fault kind SimHAL can inject (firmware-config/README.md, "Fault lines") and each \
            stow state, the simulated robot runs in virtual time until the stow cycle enters that \
            state, the fault starts there, and the cell checks the specified reaction: a safety fault \
            must latch with its name and the outputs must be safe with quick stop on every drive \
            within its detection allowance plus two control periods; a tolerated fault must latch \
            nothing and leave its trace. In every cell no finished attempt may be missing from the \
            journal, and the cycle must resume (a new attempt reaches approach) after the fault \
            ends and a person resets. Cells and reactions: docs/reliability.md.

            Prints the table (milliseconds from onset to safe for safe stops, `tol` for tolerated \
            cells, FAIL with every problem listed below) and exits 1 when any cell failed.

            Examples:
              stowctl fault-matrix
              stowctl fault-matrix --fault estop --fault serial-crc --state grasp --state insert
              stowctl fault-matrix --journal /tmp/fault-matrix.sqlite   (attempts in a real SQLite journal)
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Robot config; must use backend: sim.")
    var config: String = "firmware-config/sim.yaml"

    @Option(help: "Only rows of this fault kind (e.g. serial-crc); repeat for more.")
    var fault: [String] = []

    @Option(help: "Only columns of this stow state (e.g. make_space); repeat for more.")
    var state: [String] = []

    @Option(help: "Journal the attempts in this SQLite file (one campaign per state) instead of in memory.")
    var journal: String?

    @Option(help: "States run at once, each on its own simulated robot (default: one per core).")
    var parallel: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        for kind in fault where !SimFaultSpec.kindNames.contains(kind) {
            throw ValidationError("--fault \(kind) is not a fault kind; kinds are \(SimFaultSpec.kindNames.joined(separator: ", "))")
        }
        let known = FaultMatrixCase.states.map(\.rawValue)
        for name in state where !known.contains(name) {
            throw ValidationError("--state \(name) is not a matrix state; states are \(known.joined(separator: ", "))")
        }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    func run() throws {
        try global.bootstrapLogging()
        let robotConfig = try loadSimRobotConfig(path: config, command: "stowctl fault-matrix")
        let cases = FaultMatrixCase.all.filter { fault.isEmpty || fault.contains($0.kindName) }
        let states = FaultMatrixCase.states.filter { state.isEmpty || state.contains($0.rawValue) }
        var factory: FaultMatrix.JournalFactory = { _ in MemoryStowJournal() }
        if let journal {
            let store: StowJournal
            do {
                store = try StowJournal(path: journal, durability: .processCrash)
            } catch {
                printToStderr("\(error)")
                throw ExitCode(1)
            }
            let shared = SharedJournal(store: store)
            let configPath = config
            let seed = robotConfig.sim?.seed ?? 0
            let world = robotConfig.sim?.world.rawValue ?? "default"
            factory = { campaignID in
                try shared.startCampaign(JournalCampaign(id: campaignID, configFile: configPath, seed: seed, world: world))
            }
        }
        let wallStart = Date()
        let cells = FaultMatrix.run(config: robotConfig, cases: cases, states: states, parallelism: parallel, journal: factory)
        let wall = Date().timeIntervalSince(wallStart)
        print(FaultMatrixTable.render(cells, cases: cases, states: states, wallSeconds: wall), terminator: "")
        if cells.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}

/// One SQLite journal shared by the matrix's columns, which run on their own threads: each
/// column writes its own campaign, one at a time through a lock.
private final class SharedJournal: @unchecked Sendable {
    private let store: StowJournal
    private let lock = NSLock()

    init(store: StowJournal) { self.store = store }

    func startCampaign(_ campaign: JournalCampaign) throws -> StowJournaling {
        try lock.withLock {
            let already = try store.startCampaign(campaign)
            guard already == 0 else {
                throw ValidationError("the journal already holds campaign \(campaign.id) (\(already) attempts); use a new --journal file")
            }
        }
        return Column(journal: self)
    }

    final class Column: StowJournaling {
        let journal: SharedJournal
        init(journal: SharedJournal) { self.journal = journal }
        func record(_ attempt: StowAttemptRecord) throws {
            try journal.lock.withLock { try journal.store.record(attempt) }
        }
        func completedAttempts(campaignID: String) throws -> Int {
            try journal.lock.withLock { try journal.store.completedAttempts(campaignID: campaignID) }
        }
    }
}
