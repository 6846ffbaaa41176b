/// Why a worker agent call failed.
public enum WorkerAgentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The outbox holds its capacity of unacknowledged reports and the
    /// overflow policy is `.rejectNew`.
    case outboxFull(capacity: Int)
    /// A report named no category, or a category's statistics were invalid.
    case invalidReport(String)
    /// The coordinator refused this worker's join.
    case joinRejected(reason: String)
    /// The coordinator speaks none of this agent's protocol versions.
    case protocolMismatch(coordinatorSupports: [UInt32])
    /// `drain` ran out of time with reports still unacknowledged.
    case drainTimedOut(unacknowledged: Int)
    /// The agent was drained or stopped.
    case stopped

    public var description: String {
        switch self {
        case .outboxFull(let capacity):
            "outbox full: \(capacity) reports await acknowledgement and the overflow policy rejects new ones"
        case .invalidReport(let reason): "invalid report: \(reason)"
        case .joinRejected(let reason): "the coordinator rejected the join: \(reason)"
        case .protocolMismatch(let versions):
            "the coordinator speaks protocol versions \(versions.map(String.init).joined(separator: ", ")), this agent does not"
        case .drainTimedOut(let count): "drain timed out with \(count) reports unacknowledged"
        case .stopped: "the worker agent is stopped"
        }
    }
}
