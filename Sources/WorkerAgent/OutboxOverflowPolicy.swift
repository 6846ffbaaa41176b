/// What the outbox does when it holds `capacity` unacknowledged reports and
/// another arrives: while the coordinator is unreachable the outbox fills.
public enum OutboxOverflowPolicy: String, Sendable, Codable, CaseIterable {
    /// Abandon the oldest unacknowledged report to make room. The newest
    /// statistics describe the current policy best, and the oldest would be
    /// the stalest on arrival. Each abandoned report is counted and logged,
    /// and later reports tell the coordinator not to wait for it.
    case dropOldest
    /// Refuse the new report: `report(...)` throws `WorkerAgentError.outboxFull`,
    /// and the caller decides.
    case rejectNew
}
