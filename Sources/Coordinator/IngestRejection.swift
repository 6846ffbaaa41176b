import Curriculum
import CurriculumAuth
import CurriculumWire

/// Why the coordinator did not merge a message. Each case is counted under its label.
public enum IngestRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// The frame could not be read at all.
    case wire(WireError)
    /// A worker message without a worker id.
    case missingWorkerIdentity(Topic)
    /// Sequence numbers start at 1.
    case sequenceZero(worker: WorkerKey)
    /// A report with no categories.
    case emptyReport(worker: WorkerKey, sequence: UInt64)
    /// The core refused a category's statistics (NaN, negative counts, too stale, ...).
    case report(worker: WorkerKey, sequence: UInt64, category: String, ReportRejection)
    /// A category nobody registered, while new categories are not accepted.
    case unknownCategory(worker: WorkerKey, sequence: UInt64, category: String)
    /// Far ahead of what the ledger tracks; the worker will resend it.
    case outOfWindow(worker: WorkerKey, sequence: UInt64)
    /// A report above the final sequence of an incarnation that was retired: it finished
    /// with nothing pending, so a number above it is not a resend.
    case retiredIncarnation(worker: WorkerKey, sequence: UInt64)
    /// A message only the coordinator sends, arriving at the coordinator.
    case unexpectedTopic(Topic)
    /// A sequence number already merged: a resend, or a replay. Acknowledged again,
    /// merged never; counted as `duplicatesIgnored`.
    case duplicate(worker: WorkerKey, sequence: UInt64)
    /// A frame that failed the signature check, with the worker it claimed to come from.
    case authentication(AuthenticationFailure, claimedWorker: Wire.WorkerIdentity?)

    public var label: String {
        switch self {
        case .wire(let error): error.label
        case .missingWorkerIdentity: "missing_worker_identity"
        case .sequenceZero: "sequence_zero"
        case .emptyReport: "empty_report"
        case .report(_, _, _, let rejection): rejection.code
        case .unknownCategory: "unknown_category"
        case .outOfWindow: "out_of_window"
        case .retiredIncarnation: "retired_incarnation"
        case .unexpectedTopic: "unexpected_topic"
        case .duplicate: "duplicate"
        case .authentication(let failure, _): failure.label
        }
    }

    public var description: String {
        switch self {
        case .wire(let error): "\(error)"
        case .missingWorkerIdentity(let topic): "\(topic.rawValue) message names no worker"
        case .sequenceZero(let worker): "report from \(worker) has sequence number 0; numbering starts at 1"
        case .emptyReport(let worker, let sequence): "report \(sequence) from \(worker) has no categories"
        case .report(let worker, let sequence, let category, let rejection):
            "report \(sequence) from \(worker), category \"\(category)\": \(rejection)"
        case .unknownCategory(let worker, let sequence, let category):
            "report \(sequence) from \(worker) names unknown category \"\(category)\""
        case .outOfWindow(let worker, let sequence):
            "report \(sequence) from \(worker) is beyond the sequence window; it will be resent"
        case .retiredIncarnation(let worker, let sequence):
            "report \(sequence) from \(worker) is above the final sequence it was retired with"
        case .unexpectedTopic(let topic): "\(topic.rawValue) is sent by coordinators, not to them"
        case .duplicate(let worker, let sequence): "report \(sequence) from \(worker) was merged before"
        case .authentication(let failure, let worker):
            "\(failure) (claims to be \(worker.map { "\($0.workerID.prefix(128))#\($0.incarnation)" } ?? "no worker"))"
        }
    }
}
