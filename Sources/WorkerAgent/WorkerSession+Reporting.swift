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
        let version = Int(clamping: policyVersion)
        // Each entry is checked as the coordinator will check it and goes straight into the
        // report: no array of checked entries in between (allocating, copying and freeing it
        // was 1.5% of all CPU time of in-process ingest, IngestBench with 16 agents).
        let categories = try statistics.map { statistics throws(WorkerAgentError) -> ReportFrame.Category in
            do {
                try statistics.categoryReport(version: version, share: stepShare).validate()
            } catch {
                throw .invalidReport("\(statistics.category): \(error)")
            }
            return ReportFrame.Category(
                category: statistics.category, count: UInt64(statistics.count),
                sumAbsAdvantage: statistics.sumAbsAdvantage, sumSquaredAdvantage: statistics.sumSquaredAdvantage,
                sumReward: statistics.sumReward, groups: statistics.groups.map { UInt64($0) },
                zeroVarianceGroups: statistics.zeroVarianceGroups.map { UInt64($0) })
        }
        var report = ReportFrame(
            worker: reportingWorker, policyVersion: policyVersion, stepShare: stepShare, categories: categories)
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
        for entry in statistics {
            let (position, isNew) = queuedCategories.insert(entry.category)
            if isNew { queuedTotalsByCategory.append(CategoryTotals()) }
            queuedTotalsByCategory[position].add(entry.categoryReport(version: version, share: stepShare))
        }
        if batched { unsent.append(report) }
        return Queued(sequence: report.sequence, abandoned: abandoned, startsBatch: batched && unsent.count == 1)
    }
}
