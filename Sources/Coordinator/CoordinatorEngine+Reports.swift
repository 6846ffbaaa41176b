import Curriculum
import CurriculumWire

/// Reports: exactly once through the ledger, validated and weighed once, merged whole.
extension CoordinatorEngine {
    /// The reports of one REPT frame, in order.
    mutating func receive(_ reports: [ReportFrame], at now: Moment) {
        tally(.reportFrameReceived)
        for report in reports { receive(report, at: now) }
    }

    mutating func receive(_ report: ReportFrame, at now: Moment) {
        guard let key = workerKey(report.worker.map(WorkerKey.init), .report) else { return }
        guard report.sequence > 0 else { return reject(.sequenceZero(worker: key)) }
        heard(from: key, at: now, stepShare: report.stepShare)

        let (admission, watermarkMoves) = state.preview(
            key, sequence: report.sequence, settlingBelow: report.resendFloor)
        guard admission == .new else {
            // The resend floor may close gaps even though the report itself is not new.
            if watermarkMoves { recordAccepted(.settled(key, floor: report.resendFloor), at: now) }
            if admission == .outOfWindow {
                return reject(state.retired.contains(key)
                    ? .retiredIncarnation(worker: key, sequence: report.sequence)
                    : .outOfWindow(worker: key, sequence: report.sequence))
            }
            tally(.duplicateIgnored)
            effects.events.append(.duplicate(.duplicate(worker: key, sequence: report.sequence)))
            acknowledge(key)
            return
        }
        acknowledge(key)

        let merged = MergedReport(report, from: key)
        do throws(CoordinatorState.Refusal) {
            try record(.merged(merged), at: now)
        } catch {
            // Acknowledged all the same, so the worker stops resending what will never merge.
            tally(.reportRejected)
            recordAccepted(.rejected(key, sequence: report.sequence, resendFloor: report.resendFloor), at: now)
            if case .report(let rejection) = error { reject(rejection) }
            return
        }
        tally(.reportAccepted)
        effects.mergedStaleness.append(max(0, state.curriculum.version - merged.policyVersion))
        reportsSincePublish += 1
        changedSincePublish = true
        if reportsSincePublish >= configuration.publishEveryReports {
            advanceVersion(at: now)
            versionUnpublished = true
        }
    }
}

extension MergedReport {
    /// A report as the wire carried it, from `worker`; every category carries its version.
    init(_ report: ReportFrame, from worker: WorkerKey) {
        let version = Int(clamping: report.policyVersion)
        self.init(
            worker: worker, sequence: report.sequence, resendFloor: report.resendFloor, policyVersion: version,
            stepShare: report.stepShare,
            categories: report.categories.map { stats in
                CategoryReport(
                    // A client that sends a negative count (C's int64 -> uint64 cast, say)
                    // puts its two's complement on the wire: read it back as negative.
                    category: stats.category, count: Int(Int64(bitPattern: stats.count)),
                    sumAbsAdvantage: stats.sumAbsAdvantage, sumSquaredAdvantage: stats.sumSquaredAdvantage,
                    sumReward: stats.sumReward, version: version, share: report.stepShare,
                    groups: stats.groups.map { Int(Int64(bitPattern: $0)) },
                    zeroVarianceGroups: stats.zeroVarianceGroups.map { Int(Int64(bitPattern: $0)) })
            })
    }
}
