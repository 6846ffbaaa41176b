import CurriculumWire

/// What the engine asks of its host after handling frames or time passing.
public struct CoordinatorEffects: Sendable {
    /// Changes already applied to the engine's state, in order: journal them, and make them
    /// durable before any of `messages` leaves.
    public var changes: [StateChange] = []
    /// Messages for everyone, in order: policies, status, and the answers to frames that
    /// came without a way back (acknowledgements, control). Each reflects `changes`.
    public var messages: [Wire.Envelope.OneOf_Body] = []
    /// Answers to requests, one per request answered. Each reflects `changes`.
    public var replies: [CoordinatorEngine.Reply] = []
    /// What to log.
    public var events: [CoordinatorEngine.Event] = []
    /// The staleness of each report merged, in versions, for the histogram.
    public var mergedStaleness: [Int] = []

    public init() {}
}

extension CoordinatorEngine {
    /// Something worth a log line.
    public enum Event: Sendable, Equatable {
        /// A frame or report refused; counted under its label already.
        case rejected(IngestRejection)
        /// A resent report, acknowledged again and merged never: routine after a lost
        /// acknowledgement, so logged only at debug level.
        case duplicate(IngestRejection)
        case joinRejected(WorkerKey, reason: String)
        case joined(WorkerKey, active: Int)
        /// A lost worker spoke again.
        case revived(WorkerKey)
        /// A new incarnation displaced older ones.
        case replaced(WorkerKey, displaced: [WorkerKey])
        case left(WorkerKey, lastSequence: UInt64)
        /// Silent past its lease.
        case lost(WorkerKey)
    }
}
