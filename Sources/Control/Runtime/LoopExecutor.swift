/// What the wall-clock executors (Dispatch and real-time) have in common, so stowctl can hold
/// either. The virtual-time executor is stepped by its caller instead.
public protocol LoopExecutor: AnyObject, Sendable {
    /// The loops this executor runs.
    var loops: [PeriodicLoop] { get }
    /// `dispatch`, `realtime`, or `dispatch (real-time refused: ...)`: for status lines.
    var executorDescription: String { get }
    /// Starts every loop. Throws when a loop already runs on another executor or a thread
    /// cannot be created.
    func start() throws(LoopExecutorError)
    /// Stops every loop and returns once no tick is running; the loops' statistics are then
    /// final (summaries refreshed).
    func stop()
}

/// An executor that could not start. The message names the loop and what to do.
public struct LoopExecutorError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    static func alreadyRunning(_ loop: PeriodicLoop) -> LoopExecutorError {
        LoopExecutorError("loop \(loop.name) already runs on another executor; stop that one first")
    }
}
