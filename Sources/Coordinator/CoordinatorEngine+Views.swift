import Curriculum
import CurriculumWire

/// What the engine shows: the policy workers draw from, the members, status.
extension CoordinatorEngine {
    public mutating func currentPolicy(at now: Moment) -> Wire.Policy {
        let distribution = state.distribution()
        var policy = Wire.Policy()
        policy.version = version
        policy.categories = distribution.categories
        policy.probabilities = distribution.probabilities
        policy.values = distribution.values
        policy.policyName = policyName
        policy.issuedAtMs = now.wallClockMs
        return policy
    }

    /// The distribution workers draw from now.
    public mutating func distribution() -> CurriculumDistribution {
        state.distribution()
    }

    /// Every incarnation heard from, by worker id and incarnation.
    public var members: [Membership.Member] {
        state.membership.members.values.sorted {
            ($0.key.workerID, $0.key.incarnation) < ($1.key.workerID, $1.key.incarnation)
        }
    }

    /// What `curriculum status` shows, and what is broadcast every `statusInterval`.
    public mutating func status(at now: Moment) -> Wire.Status {
        var status = Wire.Status()
        status.policy = currentPolicy(at: now)
        status.workers = members.map { member in
            var worker = Wire.WorkerStatus()
            worker.worker = member.key.identity
            worker.state = member.state.rawValue
            worker.lastSeenMsAgo = (now.instant - member.lastSeen).milliseconds
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
        status.uptimeMs = (now.instant - started).milliseconds
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
