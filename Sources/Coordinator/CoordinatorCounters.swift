import CurriculumAuth

/// What the coordinator has counted since it started.
public struct CoordinatorCounters: Sendable, Hashable {
    public var framesReceived: UInt64 = 0
    /// REPT frames decoded: fewer than the reports in them when workers batch.
    public var reportFramesReceived: UInt64 = 0
    /// Frames whose signature, time and counter passed (with a keyring only).
    public var framesAuthenticated: UInt64 = 0
    public var reportsAccepted: UInt64 = 0
    /// Reports acknowledged but not merged: too stale or invalid.
    public var reportsRejected: UInt64 = 0
    public var duplicatesIgnored: UInt64 = 0
    /// Frames or messages refused before reaching the ledger, by reason label.
    public var rejectionsByReason: [String: UInt64] = [:]
    public var policiesPublished: UInt64 = 0
    public var acknowledgementsPublished: UInt64 = 0
    public var joins: UInt64 = 0
    public var leaves: UInt64 = 0
    public var workersLost: UInt64 = 0
    /// Commits of the state journal the disk refused; acknowledgements wait for the next.
    public var stateWriteFailures: UInt64 = 0

    /// Frames that could not be decoded, or named no worker.
    public var malformedMessages: UInt64 {
        rejectionsByReason.filter { Self.malformedLabels.contains($0.key) }.values.reduce(0, +)
    }

    /// Frames refused by the signature check: unsigned, unknown key, bad MAC, forged
    /// identity, clock skew or replayed.
    public var authenticationFailures: UInt64 {
        rejectionsByReason.filter { AuthenticationFailure.labels.contains($0.key) }.values.reduce(0, +)
    }

    static let malformedLabels: Set<String> = [
        "truncated", "oversized", "unknown_topic", "malformed", "invalid_utf8", "unknown_message_type", "topic_mismatch",
        "invalid_report_batch", "unsupported_protocol_version", "missing_worker_identity", "sequence_zero",
        "unexpected_topic",
    ]
}
