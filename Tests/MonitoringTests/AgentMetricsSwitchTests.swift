import CurriculumMetrics
import Monitoring
import Testing

/// An agent given the disabled factory skips timing acknowledgements altogether (the outbox
/// then reads no settled entry); one given a registry times every one.
struct AgentMetricsSwitchTests {
    @Test func theDisabledFactoryTurnsAcknowledgementTimingOff() {
        #expect(!WorkerAgentMetrics(workerID: "w", factory: MetricsRegistry.disabled).isEnabled)
        #expect(WorkerAgentMetrics(workerID: "w", factory: MetricsRegistry().factory).isEnabled)
    }
}
