import Curriculum
import CurriculumMetrics
import CurriculumWire

extension Coordinator {
    /// Brings the metrics' counters up to `counters`: after each batch of frames and each tick.
    func exportCounters() {
        let counters = engine.counters
        metrics.export(rejectionsByReason: counters.rejectionsByReason) { counters.value(of: $0) }
    }

    /// The gauges are set at most this often: a version a second, as beside a trainer, sets
    /// them at each; a benchmark's thousands a second would spend 2-3% of ingest on them.
    static let gaugeInterval: Duration = .milliseconds(100)

    /// Sets the policy and per-category gauges from `policy`, if the last update is
    /// `gaugeInterval` old; `tick` catches up with a version left out.
    func updateGaugesIfDue(for policy: Wire.Policy, at now: ContinuousClock.Instant) {
        if let last = lastGaugeUpdate, now - last.at < Self.gaugeInterval { return }
        lastGaugeUpdate = (now, policy.version)
        metrics.setPolicyVersion(policy.version)
        for (index, category) in policy.categories.enumerated() {
            let totals = engine.state.curriculum.totals(for: category) ?? CategoryTotals()
            let previous = totalsAtLastGaugeUpdate[category] ?? CategoryTotals()
            let newSamples = totals.count - previous.count
            metrics.setCategory(
                category, probability: policy.probabilities[index], value: policy.values[index],
                samples: totals.count,
                stepMeanAbsoluteAdvantage: newSamples > 0
                    ? (totals.sumAbsAdvantage - previous.sumAbsAdvantage) / Double(newSamples) : nil)
            totalsAtLastGaugeUpdate[category] = totals
        }
    }

    /// Sets the workers-by-state gauges; on the status cadence (once a second).
    func updateWorkerGauges() {
        var counts: [String: Int] = [:]
        for member in engine.state.membership.members.values { counts[member.state.rawValue, default: 0] += 1 }
        metrics.setWorkers(counts, states: Membership.State.allCases.map(\.rawValue))
    }
}

extension CoordinatorCounters {
    func value(of event: CoordinatorEvent) -> UInt64 {
        switch event {
        case .frameReceived: framesReceived
        case .reportFrameReceived: reportFramesReceived
        case .frameAuthenticated: framesAuthenticated
        case .reportAccepted: reportsAccepted
        case .reportRejected: reportsRejected
        case .duplicateIgnored: duplicatesIgnored
        case .policyPublished: policiesPublished
        case .acknowledgementPublished: acknowledgementsPublished
        case .join: joins
        case .leave: leaves
        case .workerLost: workersLost
        case .stateWriteFailure: stateWriteFailures
        }
    }

    mutating func count(_ event: CoordinatorEvent, by amount: UInt64) {
        switch event {
        case .frameReceived: framesReceived += amount
        case .reportFrameReceived: reportFramesReceived += amount
        case .frameAuthenticated: framesAuthenticated += amount
        case .reportAccepted: reportsAccepted += amount
        case .reportRejected: reportsRejected += amount
        case .duplicateIgnored: duplicatesIgnored += amount
        case .policyPublished: policiesPublished += amount
        case .acknowledgementPublished: acknowledgementsPublished += amount
        case .join: joins += amount
        case .leave: leaves += amount
        case .workerLost: workersLost += amount
        case .stateWriteFailure: stateWriteFailures += amount
        }
    }
}
