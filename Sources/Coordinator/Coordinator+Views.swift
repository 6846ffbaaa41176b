import Curriculum
import CurriculumAuth
import CurriculumWire
import Foundation
import Logging
import NNG

/// What the coordinator shows: the policy workers draw from, totals, members, status.
extension Coordinator {
    func currentPolicy() -> Wire.Policy {
        let distribution = state.distribution()
        var policy = Wire.Policy()
        policy.version = UInt64(state.curriculum.version)
        policy.categories = distribution.categories
        policy.probabilities = distribution.probabilities
        policy.values = distribution.values
        policy.policyName = policyName
        policy.issuedAtMs = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        return policy
    }

    /// The distribution workers draw from now.
    public func distribution() -> CurriculumDistribution {
        state.distribution()
    }

    /// Exact sums of every merged report, by category.
    public var totals: [String: CategoryTotals] {
        state.curriculum.totals
    }

    public var members: [Membership.Member] {
        state.membership.members.values.sorted { ($0.key.workerID, $0.key.incarnation) < ($1.key.workerID, $1.key.incarnation) }
    }

    /// The status once the coordinator has recovered its state and listens; nil before.
    /// What `/readyz` and `/api/status` serve.
    public func statusIfReady() -> Wire.Status? {
        endpoints == nil ? nil : status()
    }

    /// What `curriculum status` shows.
    public func status(at now: ContinuousClock.Instant = .now) -> Wire.Status {
        var status = Wire.Status()
        status.policy = currentPolicy()
        status.workers = members.map { member in
            var worker = Wire.WorkerStatus()
            worker.worker = member.key.identity
            worker.state = member.state.rawValue
            worker.lastSeenMsAgo = (now - member.lastSeen).milliseconds
            worker.lastPolicyVersion = member.lastPolicyVersion
            worker.lastStaleness = member.lastStaleness
            worker.reportsPerSecond = member.reportsPerSecond
            worker.reportsAccepted = member.reportsAccepted
            worker.samplesAccepted = member.samplesAccepted
            worker.meanStaleness = member.meanStaleness
            worker.hostname = member.hostname
            return worker
        }
        status.reportsAccepted = counters.reportsAccepted
        status.reportsRejected = counters.reportsRejected
        status.duplicatesIgnored = counters.duplicatesIgnored
        status.malformedMessages = counters.malformedMessages
        status.authenticationFailures = counters.authenticationFailures
        status.rejections = counters.rejectionsByReason
        status.uptimeMs = (now - started).milliseconds
        status.retiredWorkers = UInt64(state.retired.count)
        status.totals = state.curriculum.totals.sorted { $0.key < $1.key }.map { category, totals in
            var wire = Wire.CategoryTotals()
            wire.category = category
            wire.count = UInt64(totals.count)
            wire.sumAbsAdvantage = totals.sumAbsAdvantage
            wire.sumSquaredAdvantage = totals.sumSquaredAdvantage
            wire.sumReward = totals.sumReward
            wire.reports = UInt64(totals.reports)
            return wire
        }
        return status
    }
}

extension MergedReport {
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
