import Control

/// What happened in one cell of the fault matrix: one fault injected on entering one stow state.
public struct FaultCellResult: Sendable {
    public var fault: String
    public var state: StowState
    /// Simulated time of the onset (the `fault-started` event), nanoseconds since the run began.
    public var onsetNanoseconds: UInt64 = 0
    /// The first latched safety fault, as the supervisor names it (`estop eoat.estop`); nil when
    /// nothing latched.
    public var latched: String?
    /// Onset to the first control tick with safe outputs and quick stop posted to every drive.
    public var onsetToSafeNanoseconds: UInt64?
    /// What the reaction may take: detection allowance + two control periods (safe stops only).
    public var budgetNanoseconds: UInt64?
    /// Onset to the stow cycle entering `approach` of a new attempt, the fault gone and reset.
    public var onsetToResumeNanoseconds: UInt64?
    /// Resets a person had to give (the first may find the cause still present).
    public var resets = 0
    /// Attempts journaled when the cycle resumed, and how many it had started by then.
    public var journaled = 0
    public var started = 0
    /// How the attempt in progress ended, if the fault ended it: its journal cause and faults.
    public var abortedAttempt: String?
    /// The trace a tolerated fault left (`2 failed exchanges`, `1 overrun`).
    public var trace: String?
    /// Everything that is wrong with this cell; empty when it passed.
    public var problems: [String] = []

    public var passed: Bool { problems.isEmpty }

    public init(fault: String, state: StowState) {
        self.fault = fault
        self.state = state
    }
}
