import Config
import Control

/// The signal names the console knows: the config's dotted names, inputs then outputs.
public enum ConsoleSignals {
    public static let inputs = EOATInputs.signalNames
    public static let outputs = EOATOutputs.signalNames
    public static let all = inputs + outputs

    /// The value of `name` in a control snapshot, or nil for an unknown name.
    public static func value(of name: String, in snapshot: ControlSnapshot) -> Bool? {
        if let index = inputs.firstIndex(of: name) { return snapshot.inputs[index] }
        if let index = outputs.firstIndex(of: name) { return snapshot.outputs[index] }
        return nil
    }
}
