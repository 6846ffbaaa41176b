import CoreMetrics

/// The worker agent's metric handles, made from one factory.
public struct WorkerAgentMetrics: Sendable {
    private let acknowledgementTime: Timer

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        acknowledgementTime = Timer(label: MetricCatalog.reportAcknowledgementSeconds.name, factory: factory)
    }

    /// A report was acknowledged `duration` after it was first sent.
    public func recordAcknowledgement(after duration: Duration) {
        acknowledgementTime.recordNanoseconds(duration.nanoseconds)
    }
}
