import Curriculum
import CurriculumWire

/// Turning a batch's statistics into a numbered report in the outbox.
extension WorkerSession {
    /// A report the outbox took.
    struct Queued: Sendable, Equatable {
        var sequence: UInt64
        /// The older report abandoned to make room, if the outbox was full.
        var abandoned: UInt64?
        /// Whether this report is the first to wait for the next flush: the agent then wakes
        /// its flush loop (once per batch, not per report).
        var startsBatch: Bool
    }

    /// Validates `statistics`, numbers them and queues them in the outbox. With `batched`, the
    /// report also waits in `unsent` for the next `flush()`; without, it waits for a connection
    /// (which sends everything pending).
    ///
    /// Throws `.invalidReport` for statistics the coordinator would reject (NaN, negative counts,
    /// an empty category name), `.outboxFull` when the outbox is full and its policy is
    /// `.rejectNew`, and `.stopped` once draining.
    mutating func queue(
        policyVersion: UInt64, statistics: [AdvantageStatistics], batched: Bool, at now: ContinuousClock.Instant
    ) throws(WorkerAgentError) -> Queued {
        guard !draining else { throw .stopped }
        guard !statistics.isEmpty else { throw .invalidReport("a report needs at least one category") }
        let stepShare = settings.stepShare
        // Mapped, not appended: each array is allocated once at its final size.
        let candidates = try statistics.map { statistics throws(WorkerAgentError) -> CategoryReport in
            let candidate = CategoryReport(
                category: statistics.category, count: statistics.count,
                sumAbsAdvantage: statistics.sumAbsAdvantage, sumSquaredAdvantage: statistics.sumSquaredAdvantage,
                sumReward: statistics.sumReward, version: Int(clamping: policyVersion), share: stepShare,
                groups: statistics.groups, zeroVarianceGroups: statistics.zeroVarianceGroups)
            do {
                try candidate.validate()
            } catch {
                throw .invalidReport("\(statistics.category): \(error)")
            }
            return candidate
        }
        var report = ReportFrame(
            worker: reportingWorker, policyVersion: policyVersion, stepShare: stepShare,
            categories: candidates.map {
                ReportFrame.Category(
                    category: $0.category, count: UInt64($0.count), sumAbsAdvantage: $0.sumAbsAdvantage,
                    sumSquaredAdvantage: $0.sumSquaredAdvantage, sumReward: $0.sumReward,
                    groups: $0.groups.map { UInt64($0) }, zeroVarianceGroups: $0.zeroVarianceGroups.map { UInt64($0) })
            })
        var abandoned: UInt64?
        switch outbox.enqueue(&report, at: now) {
        case .full:
            throw .outboxFull(capacity: outbox.capacity)
        case .queuedDropping(_, let dropped):
            counters.reportsAbandoned += 1
            abandoned = dropped
        case .queued:
            break
        }
        counters.reportsQueued += 1
        counters.samplesQueued += statistics.reduce(0) { $0 + UInt64($1.count) }
        for candidate in candidates { queuedTotals[candidate.category, default: CategoryTotals()].add(candidate) }
        if batched { unsent.append(report) }
        return Queued(sequence: report.sequence, abandoned: abandoned, startsBatch: batched && unsent.count == 1)
    }
}
