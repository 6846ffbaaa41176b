import CoreMetrics

/// The coordinator's metric handles, made from one factory (a Prometheus registry's, or
/// swift-metrics' global one, which does nothing unless the process bootstrapped it).
///
/// The coordinator owns one. Its counters are not counted twice: they are exported from the
/// coordinator's own numbers (what `Status` shows), by the difference since the last export,
/// once per batch of ingested frames and once per tick. So `/metrics` and `Status` agree, and
/// a report costs the metrics nothing but its staleness sample. (Counting each report into
/// the Prometheus counters as well cost 4-5% of in-process ingest with 16 agents.)
/// Handles for a label value (a rejection reason, a category, a state) are made on first
/// use and kept; those label sets are bounded by the code's reasons and the run's categories.
public struct CoordinatorMetrics {
    private let factory: any MetricsFactory
    private let events: [Counter]
    private var exported: [UInt64]
    private var rejections: [String: (counter: Counter, exported: UInt64)] = [:]
    private var categories: [String: CategoryGauges] = [:]
    private var workers: [String: Gauge] = [:]
    private let version: Gauge
    private let staleness: Recorder
    private let batchFrames: Recorder
    private let journalCommit: Timer
    private let broadcastBytes: Recorder
    private let replyBytes: Recorder

    private struct CategoryGauges {
        let probability: Gauge
        let value: Gauge
        let samples: Gauge
        let stepMeanAbsoluteAdvantage: Gauge
    }

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        events = CoordinatorEvent.allCases.map { Counter(label: $0.metric.name, factory: factory) }
        exported = Array(repeating: 0, count: CoordinatorEvent.allCases.count)
        version = Gauge(label: MetricCatalog.policyVersion.name, factory: factory)
        staleness = Recorder(label: MetricCatalog.reportStaleness.name, factory: factory)
        batchFrames = Recorder(label: MetricCatalog.ingestBatchFrames.name, factory: factory)
        journalCommit = Timer(label: MetricCatalog.journalCommitSeconds.name, factory: factory)
        broadcastBytes = Recorder(label: MetricCatalog.broadcastFrameBytes.name, factory: factory)
        replyBytes = Recorder(label: MetricCatalog.replyFrameBytes.name, factory: factory)
    }

    /// Brings every counter up to the coordinator's numbers: `total(event)` for each event,
    /// and `rejectionsByReason`. Totals only grow, so each counter moves by the difference.
    public mutating func export(rejectionsByReason: [String: UInt64], total: (CoordinatorEvent) -> UInt64) {
        for event in CoordinatorEvent.allCases {
            let now = total(event)
            if now > exported[event.rawValue] {
                events[event.rawValue].increment(by: Int64(clamping: now - exported[event.rawValue]))
                exported[event.rawValue] = now
            }
        }
        for (reason, now) in rejectionsByReason where now > (rejections[reason]?.exported ?? 0) {
            let counter = rejections[reason]?.counter ?? Counter(
                label: MetricCatalog.rejections.name, dimensions: [("reason", reason)], factory: factory)
            counter.increment(by: Int64(clamping: now - (rejections[reason]?.exported ?? 0)))
            rejections[reason] = (counter, now)
        }
    }

    public func recordStaleness(_ versions: Int) {
        staleness.record(versions)
    }

    public func recordIngestBatch(frames: Int) {
        batchFrames.record(frames)
    }

    public func recordJournalCommit(_ duration: Duration) {
        journalCommit.recordNanoseconds(duration.nanoseconds)
    }

    public func recordBroadcast(bytes: Int) {
        broadcastBytes.record(bytes)
    }

    public func recordReply(bytes: Int) {
        replyBytes.record(bytes)
    }

    public func setPolicyVersion(_ value: UInt64) {
        version.record(Double(value))
    }

    /// Sets the worker count of every state in `states`; a state seen before and absent
    /// now reads 0 rather than its last count.
    public mutating func setWorkers(_ counts: [String: Int], states: [String]) {
        for state in states {
            let gauge = workers[state] ?? Gauge(
                label: MetricCatalog.workers.name, dimensions: [("state", state)], factory: factory)
            workers[state] = gauge
            gauge.record(Double(counts[state] ?? 0))
        }
    }

    public mutating func setCategory(
        _ category: String, probability: Double, value: Double, samples: Int, stepMeanAbsoluteAdvantage: Double?
    ) {
        let gauges = categories[category] ?? makeGauges(for: category)
        categories[category] = gauges
        gauges.probability.record(probability)
        gauges.value.record(value)
        gauges.samples.record(Double(samples))
        if let stepMeanAbsoluteAdvantage { gauges.stepMeanAbsoluteAdvantage.record(stepMeanAbsoluteAdvantage) }
    }

    private func makeGauges(for category: String) -> CategoryGauges {
        let dimensions = [("category", category)]
        return CategoryGauges(
            probability: Gauge(label: MetricCatalog.categoryProbability.name, dimensions: dimensions, factory: factory),
            value: Gauge(label: MetricCatalog.categoryValue.name, dimensions: dimensions, factory: factory),
            samples: Gauge(label: MetricCatalog.categorySamples.name, dimensions: dimensions, factory: factory),
            stepMeanAbsoluteAdvantage: Gauge(
                label: MetricCatalog.categoryStepMeanAbsoluteAdvantage.name, dimensions: dimensions, factory: factory))
    }
}

extension Duration {
    /// The whole nanoseconds of a duration, saturating past Int64.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
