/// What a worker agent has done, for logs and status lines.
public struct WorkerAgentCounters: Sendable, Hashable {
    /// Reports handed to `report(...)` and queued.
    public var reportsQueued: UInt64 = 0
    /// Samples in those reports.
    public var samplesQueued: UInt64 = 0
    /// Reports the coordinator acknowledged.
    public var reportsAcknowledged: UInt64 = 0
    /// Of those, reports the coordinator rejected (too stale or invalid); from its acknowledgements.
    public var reportsRejectedByCoordinator: UInt64 = 0
    /// REPT frames sent, retransmissions included: fewer than the reports sent when the
    /// coordinator lets several that are ready at once share a frame.
    public var reportFramesSent: UInt64 = 0
    /// Reports sent again after their acknowledgement timed out.
    public var retransmissions: UInt64 = 0
    /// Reports abandoned because the outbox overflowed.
    public var reportsAbandoned: UInt64 = 0
    /// Policy versions received (joins included).
    public var policiesReceived: UInt64 = 0
    /// Frames from the coordinator that could not be decoded.
    public var malformedFrames: UInt64 = 0
    public var joins: UInt64 = 0
    /// Times the agent dialled the coordinator anew after silence or an unanswered join
    /// (see `WorkerSession.redialDue(at:)`).
    public var redials: UInt64 = 0
}
