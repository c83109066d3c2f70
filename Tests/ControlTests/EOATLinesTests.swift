import Config
import HAL
import SimHAL
import Testing

@testable import Control

/// The control tick's line devices: the EOAT's signals, each in its place.
@Suite("EOAT lines")
struct EOATLinesTests {
    static func simulatedLines() throws -> (inputs: [DigitalInput], outputs: [DigitalOutput]) {
        let config = try RobotConfig.load(path: SimControllerRig.repositoryRoot + "/firmware-config/sim.yaml")
        let eoat = try SimEOAT(config: config, clock: ManualClock())
        let inputs = EOATInputs.signalNames.compactMap { name in eoat.inputs.first { $0.name == name } }
        let outputs = EOATOutputs.signalNames.compactMap { name in eoat.outputs.first { $0.name == name } }
        return (inputs, outputs)
    }

    @Test("the lines in signal order are taken, each under its own name")
    func linesInOrderAreTaken() throws {
        let (inputs, outputs) = try Self.simulatedLines()
        let inputLines = try EOATInputLines(inputs)
        let outputLines = try EOATOutputLines(outputs)
        #expect(inputLines.estop.name == "eoat.estop")
        #expect(inputLines.armInPosition.name == "arm.in-position")
        #expect(outputLines.bandSeparatorSolenoid.name == "eoat.band-separator.solenoid")
        #expect(outputLines.done.name == "eoat.done")
    }

    @Test("lines out of signal order, or missing, are refused, naming the first one out of place")
    func linesOutOfOrderAreRefused() throws {
        let (inputs, outputs) = try Self.simulatedLines()
        #expect(throws: HALError(device: "control", cause: .invalidRequest("input 0 must be eoat.estop"))) {
            try EOATInputLines(Array(inputs.reversed()))
        }
        #expect(throws: HALError(device: "control", cause: .invalidRequest("output 6 must be eoat.done"))) {
            try EOATOutputLines(Array(outputs.dropLast()))
        }
    }
}
