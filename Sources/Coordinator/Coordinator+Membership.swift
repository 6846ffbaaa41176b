import Curriculum
import CurriculumAuth
import CurriculumWire
import Foundation
import Logging
import NNG

/// Joins, leaves, worker identities, and what is refused and logged.
extension Coordinator {
    func handle(_ join: Wire.Join, at now: ContinuousClock.Instant) {
        guard let key = workerKey(join.hasWorker ? join.worker : nil, .join) else { return }
        var control = Wire.Control()
        if !join.supportedVersions.contains(where: WireCodec.supportedVersions.contains) {
            var mismatch = Wire.ProtocolMismatch()
            mismatch.worker = key.identity
            mismatch.receivedVersion = join.supportedVersions.max() ?? 0
            mismatch.supportedVersions = WireCodec.supportedVersions
            control.kind = .protocolMismatch(mismatch)
            reject(.wire(.unsupportedProtocolVersion(received: mismatch.receivedVersion, sender: key.identity)))
        } else if !(join.stepShare > 0 && join.stepShare <= 1) {
            var rejected = Wire.JoinRejected()
            rejected.worker = key.identity
            rejected.reason = "step_share must be in (0, 1], got \(join.stepShare)"
            control.kind = .joinRejected(rejected)
            logger.warning("join rejected", metadata: ["worker": "\(key)", "reason": "\(rejected.reason)"])
        } else {
            let change = state.heard(
                from: key, at: now, joining: true, hostname: join.hostname, stepShare: join.stepShare)
            record(.joined(key, hostname: join.hostname, stepShare: join.stepShare))
            note(change, for: key)
            // Names a report could not carry (empty, or too long) are not registered.
            for category in join.categories
            where !category.isEmpty && category.utf8.count <= CategoryReport.maximumCategoryBytes
                && state.register(category)
            {
                record(.registered(category: category))
                changedSincePublish = true
            }
            var accepted = Wire.JoinAccepted()
            accepted.worker = key.identity
            accepted.leaseMs = UInt32(clamping: configuration.lease.milliseconds)
            accepted.heartbeatIntervalMs = UInt32(clamping: configuration.heartbeatInterval.milliseconds)
            if changedSincePublish { advanceVersion() }
            accepted.policy = currentPolicy()
            accepted.contiguousThrough = state.ledgers[key]?.contiguousThrough ?? 0
            accepted.maxReportsPerFrame = UInt32(clamping: max(1, configuration.maximumReportsPerFrame))
            control.kind = .joinAccepted(accepted)
        }
        broadcast(.control(control))
    }

    func handle(_ leave: Wire.Leave, at now: ContinuousClock.Instant) {
        guard let key = workerKey(leave.hasWorker ? leave.worker : nil, .leave) else { return }
        if state.membership.members[key]?.state != .left {
            tally(.leave)
            logger.info("worker left", metadata: ["worker": "\(key)", "last_sequence": "\(leave.lastSequence)"])
        }
        state.membership.left(key, at: now)
        record(.left(key))
        var accepted = Wire.LeaveAccepted()
        accepted.worker = key.identity
        var control = Wire.Control()
        control.kind = .leaveAccepted(accepted)
        broadcast(.control(control))
    }

    func workerKey(_ identity: Wire.WorkerIdentity?, _ topic: Topic) -> WorkerKey? {
        workerKey(identity.map(WorkerKey.init), topic)
    }

    func workerKey(_ key: WorkerKey?, _ topic: Topic) -> WorkerKey? {
        guard let key, !key.workerID.isEmpty else {
            reject(.missingWorkerIdentity(topic))
            return nil
        }
        return key
    }

    func membershipHeard(from key: WorkerKey, at now: ContinuousClock.Instant, stepShare: Double? = nil) {
        note(state.heard(from: key, at: now, stepShare: stepShare), for: key)
    }

    func note(_ change: Membership.Change, for key: WorkerKey) {
        switch change {
        case .none: return
        case .joined:
            tally(.join)
            logger.info("worker joined", metadata: ["worker": "\(key)", "active": "\(state.membership.activeCount)"])
        case .revived:
            logger.info("lost worker is back", metadata: ["worker": "\(key)"])
        case .replaced(let old):
            tally(.join)
            logger.info("worker restarted", metadata: ["worker": "\(key)", "replaces": "\(old)"])
        }
    }

    func reject(_ rejection: IngestRejection) {
        counters.rejectionsByReason[rejection.label, default: 0] += 1
        logRateLimited(rejection.label, "rejected", rejection)
    }

    /// One line per reason per second: a flood of garbage must not become a flood of logs.
    func logRateLimited(
        _ label: String, _ message: Logger.Message, _ detail: any Error, level: Logger.Level = .warning
    ) {
        let now = ContinuousClock.now
        if let last = lastLogged[label], now - last < .seconds(1) {
            suppressedLogs[label, default: 0] += 1
            return
        }
        lastLogged[label] = now
        let suppressed = suppressedLogs.removeValue(forKey: label) ?? 0
        logger.log(level: level, message, metadata: [
            "reason": "\(label)", "detail": "\(detail)", "suppressed_since_last": "\(suppressed)",
        ])
    }
}
