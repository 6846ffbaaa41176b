import CoreMetrics

/// The worker agent's metric handles, made from one factory.
public struct WorkerAgentMetrics: Sendable {
    private let acknowledgementTime: Timer
    /// False with swift-metrics' no-op factory: then the agent skips timing acknowledgements
    /// altogether instead of measuring for a handler that discards the measurement.
    public let isEnabled: Bool

    /// Labelled with the worker's id: a process usually embeds one agent, and one that
    /// embeds several then keeps a histogram per agent. (One histogram shared by 16 agents
    /// of one process, each locking it per report, cost 5-6% of their ingest; per agent,
    /// under 1%.)
    public init(workerID: String, factory: any MetricsFactory = MetricsSystem.factory) {
        isEnabled = !(factory is NOOPMetricsHandler)
        acknowledgementTime = Timer(
            label: MetricCatalog.reportAcknowledgementSeconds.name, dimensions: [("worker", workerID)], factory: factory)
    }

    /// A report was acknowledged `duration` after it was first sent.
    public func recordAcknowledgement(after duration: Duration) {
        acknowledgementTime.recordNanoseconds(duration.nanoseconds)
    }
}
