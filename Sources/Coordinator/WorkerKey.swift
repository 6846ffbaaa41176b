import CurriculumWire

/// One incarnation of one worker: the scope of a report sequence.
///
/// A plain struct rather than the generated `WorkerIdentity`, whose hashing
/// walks protobuf fields reflectively; this sits on the ingest hot path.
public struct WorkerKey: Hashable, Sendable, CustomStringConvertible {
    public var workerID: String
    public var incarnation: UInt64

    public init(workerID: String, incarnation: UInt64) {
        self.workerID = workerID
        self.incarnation = incarnation
    }

    public init(_ identity: Wire.WorkerIdentity) {
        self.init(workerID: identity.workerID, incarnation: identity.incarnation)
    }

    public init(_ worker: ReportFrame.Worker) {
        self.init(workerID: worker.workerID, incarnation: worker.incarnation)
    }

    public var identity: Wire.WorkerIdentity { Wire.WorkerIdentity(workerID: workerID, incarnation: incarnation) }

    public var description: String { "\(workerID)#\(incarnation)" }
}
