import Curriculum
import CurriculumMetrics
import CurriculumWire

extension Coordinator {
    /// Counts `event` once, in `counters` (what `Status` shows) and in the metrics.
    func tally(_ event: CoordinatorEvent, by amount: UInt64 = 1) {
        counters.count(event, by: amount)
        metrics.count(event, by: amount)
    }

    /// Sets the policy and per-category gauges from the policy just broadcast.
    ///
    /// Runs once per broadcast, not per report: at most once per ingested batch of frames
    /// or publish interval, whatever the report rate.
    func updateGauges(for policy: Wire.Policy) {
        metrics.setPolicyVersion(policy.version)
        for (index, category) in policy.categories.enumerated() {
            let totals = state.curriculum.totals(for: category) ?? CategoryTotals()
            let previous = totalsAtLastBroadcast[category] ?? CategoryTotals()
            let newSamples = totals.count - previous.count
            metrics.setCategory(
                category, probability: policy.probabilities[index], value: policy.values[index],
                samples: totals.count,
                stepMeanAbsoluteAdvantage: newSamples > 0
                    ? (totals.sumAbsAdvantage - previous.sumAbsAdvantage) / Double(newSamples) : nil)
            totalsAtLastBroadcast[category] = totals
        }
    }

    /// Sets the workers-by-state gauges; on the status cadence (once a second).
    func updateWorkerGauges() {
        var counts: [String: Int] = [:]
        for member in state.membership.members.values { counts[member.state.rawValue, default: 0] += 1 }
        metrics.setWorkers(counts, states: Membership.State.allCases.map(\.rawValue))
    }
}

extension CoordinatorCounters {
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
