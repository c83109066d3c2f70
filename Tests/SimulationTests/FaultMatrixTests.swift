import Config
import Control
import Testing
@testable import Simulation

/// Issue 11's fault matrix: every fault kind SimHAL can inject, entered in every stow state, gets
/// its specified reaction (docs/reliability.md). One test case per state (they run in parallel),
/// each on its own simulated robot in virtual time.
@Suite("Fault matrix")
struct FaultMatrixTests {
    static let config = Result { try RobotConfig.load(path: SimulatedRobotTests.repositoryRoot + "/firmware-config/sim.yaml") }

    @Test("every fault, entered in this state: safe in budget and named, or tolerated; nothing lost from the journal; resumes after reset",
          arguments: FaultMatrixCase.states)
    func everyFaultIn(_ state: StowState) throws {
        let cells = FaultMatrix.runColumn(config: try Self.config.get(), cases: FaultMatrixCase.all, state: state)
        #expect(cells.count == FaultMatrixCase.all.count)
        for cell in cells {
            if let known = FaultMatrixKnownIssue.find(cell.fault, state) {
                withKnownIssue("\(known.note)") {
                    #expect(cell.passed, "\(cell.fault) in \(state.rawValue): \(cell.problems.joined(separator: "; "))")
                }
            } else {
                #expect(cell.passed, "\(cell.fault) in \(state.rawValue): \(cell.problems.joined(separator: "; "))")
            }
        }
    }

    @Test("every fault kind SimHAL can inject has a row")
    func everyKindCovered() {
        let covered = Set(FaultMatrixCase.all.map(\.kindName))
        #expect(covered == Set(SimFaultSpec.kindNames))
    }

    @Test("a bad cell is reported: a tolerated fault that latches fails its cell")
    func badCellReported() throws {
        let wrong = FaultMatrixCase(fault: "estop for 300ms", reaction: .tolerated(recordedIn: .attemptCause), why: "deliberately wrong")
        let cells = FaultMatrix.runColumn(config: try Self.config.get(), cases: [wrong], state: .grasp)
        #expect(cells.count == 1)
        #expect(!cells[0].passed)
        #expect(cells[0].problems.contains { $0.contains("latched estop eoat.estop") })
        let table = FaultMatrixTable.render(cells, cases: [wrong], states: [.grasp])
        #expect(table.contains("FAIL estop for 300ms in grasp"))
    }

    @Test("a jaw stalled while retract opens it faults itself (following error), and that drive fault stops the EOAT in budget")
    func stalledJawFaultsItself() throws {
        let stall = try #require(FaultMatrixCase.all.first { $0.kindName == "drive-stall" })
        let cells = FaultMatrix.runColumn(config: try Self.config.get(), cases: [stall], state: .retract)
        #expect(cells.count == 1)
        #expect(cells[0].passed, "\(cells[0].problems)")
        #expect(cells[0].latched?.hasPrefix("drive-fault bus0.drive.jaw") == true)
        #expect(cells[0].trace == "the drive faulted itself (0x8611)")
    }

    @Test("a latch while the stalled drive has not faulted itself fails the cell")
    func latchWithoutTheDrivesOwnFaultFails() throws {
        let wrong = FaultMatrixCase(fault: "estop for 300ms",
                                    reaction: .toleratedUntilItsDriveFaults(role: .jaw, subject: "bus0.drive.jaw", errorCode: 0x8611),
                                    why: "deliberately wrong")
        let cells = FaultMatrix.runColumn(config: try Self.config.get(), cases: [wrong], state: .grasp)
        #expect(cells.count == 1)
        #expect(!cells[0].passed)
        #expect(cells[0].problems.contains { $0.contains("latched estop eoat.estop while the stalled drive had not faulted itself") })
    }
}
