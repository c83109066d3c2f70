import Config
import Control
import Foundation

/// Every fault kind SimHAL can inject (`FaultMatrixCase.all`) in every stow state
/// (`FaultMatrixCase.states`), each cell judged by `FaultMatrixRun`: safe within budget, the fault
/// named, no journal entry lost, resumed after reset. docs/reliability.md explains the cells.
///
/// One simulated robot per state runs that state's cells one after another (a cell ends when the
/// cycle has resumed, so the next starts from a working robot); states run in parallel.
public enum FaultMatrix {
    /// One journal per state's run; the matrix asks it for the count it holds after each cell.
    public typealias JournalFactory = @Sendable (_ campaignID: String) throws -> StowJournaling

    /// Runs the cells of `cases` x `states` and returns them row by row (case-major).
    /// `parallelism` runs that many states at once (each on its own robot and thread).
    public static func run(
        config: RobotConfig, cases: [FaultMatrixCase] = FaultMatrixCase.all, states: [StowState] = FaultMatrixCase.states,
        parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
        journal: JournalFactory = { _ in MemoryStowJournal() }
    ) -> [FaultCellResult] {
        let columns = ResultColumns(count: states.count)
        let workers = max(1, min(parallelism, states.count))
        let next = NextIndex()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let column = next.take(below: states.count) {
                columns.set(column, runColumn(config: config, cases: cases, state: states[column], journal: journal))
            }
        }
        var cells: [FaultCellResult] = []
        for row in cases.indices {
            for column in states.indices { cells.append(columns.get(column)[row]) }
        }
        return cells
    }

    /// Every case in one state, on one robot; after a bad cell the next starts on a fresh robot,
    /// so one failure does not spill into the cells after it.
    public static func runColumn(config: RobotConfig, cases: [FaultMatrixCase], state: StowState,
                                 journal: JournalFactory = { _ in MemoryStowJournal() }) -> [FaultCellResult] {
        var results: [FaultCellResult] = []
        var run: FaultMatrixRun?
        for faultCase in cases {
            if run == nil {
                let campaignID = "fault-matrix-\(state.rawValue)" + (results.isEmpty ? "" : "-from-\(results.count)")
                do {
                    run = try FaultMatrixRun(config: config, campaignID: campaignID, journal: try journal(campaignID))
                } catch {
                    var result = FaultCellResult(fault: faultCase.fault, state: state)
                    result.problems.append("cannot build the simulated robot: \(error)")
                    results.append(result)
                    continue
                }
            }
            let result = run!.run(faultCase, in: state)
            results.append(result)
            if !result.passed {
                run!.robot.executor.finish()
                run = nil
            }
        }
        run?.robot.executor.finish()
        return results
    }
}

/// Keeps attempts in memory: the fault matrix checks counts, the SQLite journal has its own specs.
public final class MemoryStowJournal: StowJournaling, @unchecked Sendable {
    public private(set) var records: [StowAttemptRecord] = []
    public init() {}
    public func record(_ attempt: StowAttemptRecord) throws { records.append(attempt) }
    public func completedAttempts(campaignID: String) throws -> Int { records.count }
}

/// Results per column, filled from worker threads.
private final class ResultColumns: @unchecked Sendable {
    private let lock = NSLock()
    private var columns: [[FaultCellResult]]
    init(count: Int) { columns = Array(repeating: [], count: count) }
    func set(_ index: Int, _ cells: [FaultCellResult]) { lock.withLock { columns[index] = cells } }
    func get(_ index: Int) -> [FaultCellResult] { lock.withLock { columns[index] } }
}

/// Hands out column indices to worker threads.
private final class NextIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func take(below count: Int) -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
