import Curriculum
import CurriculumAuth
import CurriculumWire
import Foundation
import Logging
import NNG

/// The timed work: acknowledgements, policy publication and versions, leases, status.
extension Coordinator {
    func tick(at now: ContinuousClock.Instant) {
        if !awaitingAcknowledgement.isEmpty, now - lastAcknowledgement >= configuration.acknowledgementInterval {
            publishAcknowledgements(at: now)
        }
        if lastPublish.map({ now - $0 >= configuration.publishInterval }) ?? true {
            publishPolicy(at: now)
        }
        if now - lastLeaseCheck >= .milliseconds(100) {
            lastLeaseCheck = now
            for key in state.membership.expireLeases(at: now) {
                tally(.workerLost)
                logger.warning("worker lost: silent past its lease", metadata: [
                    "worker": "\(key)", "lease": "\(configuration.lease)",
                ])
            }
            let retired = state.retireFinished(at: now, wallClockMs: WallClock.milliseconds(), policy: configuration.retirement)
            for change in retired { record(change) }
            authenticator?.forget(retired.compactMap(\.retiredWorker))
        }
        if lastStatus.map({ now - $0 >= configuration.statusInterval }) ?? true {
            lastStatus = now
            recordSignatureCounters()
            broadcast(.status(status(at: now)))
            updateWorkerGauges()
        }
        if let last = lastGaugeUpdate, last.version != version { updateGaugesIfDue(for: currentPolicy(), at: now) }
        exportCounters()
    }

    func publishAcknowledgements(at now: ContinuousClock.Instant) {
        lastAcknowledgement = now
        var acks = Wire.Acks()
        acks.workers = awaitingAcknowledgement.map { key in
            var ack = Wire.WorkerAck()
            ack.worker = key.identity
            let ledger = state.acknowledgedLedger(for: key)
            ack.contiguousThrough = ledger.contiguousThrough
            ack.selective = ledger.selectiveAcknowledgements(limit: 1024)
            ack.rejected = state.rejectedByWorker[key] ?? 0
            return ack
        }
        awaitingAcknowledgement.removeAll(keepingCapacity: true)
        tally(.acknowledgementPublished)
        broadcast(.acks(acks))
    }

    /// Publishes the distribution, as a new version if anything changed since the last one.
    func publishPolicy(at now: ContinuousClock.Instant) {
        if changedSincePublish { advanceVersion() }
        broadcastPolicy(at: now)
    }

    /// Publishes the current version as it is.
    func broadcastPolicy(at now: ContinuousClock.Instant) {
        versionUnpublished = false
        lastPublish = now
        tally(.policyPublished)
        let policy = currentPolicy()
        broadcast(.policy(policy))
        updateGaugesIfDue(for: policy, at: now)
    }

    func advanceVersion() {
        let next = state.curriculum.version + 1
        // advance(to:) only refuses a lower version.
        try! state.advance(to: next)
        record(.advanced(version: next))
        changedSincePublish = false
        reportsSincePublish = 0
    }
}
