import CurriculumWire

/// The timed work: acknowledgements, policy versions and publication, leases, status.
extension CoordinatorEngine {
    /// The first policy, published the moment the coordinator serves.
    public mutating func start(at now: Moment) -> CoordinatorEffects {
        publishPolicy(at: now)
        return takeEffects()
    }

    /// Closes a batch of frames given to ``receive(_:from:at:)``: replies with the
    /// acknowledgements due, and publishes the policy once if any of the frames advanced it.
    ///
    /// A version still advances every `publishEveryReports` merged reports, but when one
    /// batch advances it several times only the newest is broadcast: every worker would
    /// decode every intermediate policy only to replace it microseconds later. Workers
    /// keep the highest version they see, so a skipped version is no different from a
    /// lost message to them.
    public mutating func finishBatch(at now: Moment) -> CoordinatorEffects {
        // Replies leave with the batch that made them, not at the next tick, whose task waits
        // its turn behind ingest: acknowledged at the tick alone, 2,000 FleetBench workers saw
        // report-to-ack p50 52 ms and p99 152 ms, against 15 and 68 with the batch.
        replyWithAcknowledgementsDue(at: now)
        if versionUnpublished, broadcastWithinBudget(at: now) { broadcastPolicy(at: now) }
        // Joins and leaves change the state, so their counters ride in the same commit,
        // durable before the answers leave; heartbeats alone wait for the status tick.
        if !effects.changes.isEmpty { journalSignatureCounters(at: now) }
        return takeEffects()
    }

    /// What is due at `now`: acknowledgements (replies, and the broadcast for frames sent
    /// without a request), a policy, lease expiry, status.
    public mutating func tick(at now: Moment) -> CoordinatorEffects {
        replyWithAcknowledgementsDue(at: now)
        forgetAcknowledgementRepliesBefore(now)
        if !awaitingAcknowledgement.isEmpty, acknowledgementDue(at: now) {
            lastAcknowledgement = now.instant
            publishAcknowledgements()
        }
        if broadcastWithinBudget(at: now) {
            if lastPublish.map({ now.instant - $0 >= configuration.publishInterval }) ?? true {
                publishPolicy(at: now)
            } else if versionUnpublished {
                broadcastPolicy(at: now)
            }
        }
        if now.instant - lastLeaseCheck >= Self.leaseCheckInterval {
            lastLeaseCheck = now.instant
            for key in state.membership.expireLeases(at: now.instant) {
                tally(.workerLost)
                effects.events.append(.lost(key))
            }
            let retired = state.retireFinished(
                at: now.instant, wallClockMs: now.wallClockMs, policy: configuration.retirement)
            effects.changes += retired
            authenticator?.forget(retired.compactMap(\.retiredWorker))
        }
        if lastStatus.map({ now.instant - $0 >= configuration.statusInterval }) ?? true {
            lastStatus = now.instant
            journalSignatureCounters(at: now)
            effects.messages.append(.status(status(at: now)))
        }
        return takeEffects()
    }

    /// Whether an acknowledgement interval has passed since acknowledgements were last broadcast.
    func acknowledgementDue(at now: Moment) -> Bool {
        now.instant - lastAcknowledgement >= configuration.acknowledgementInterval
    }

    /// Whether a broadcast now keeps within ``CoordinatorConfiguration/policyCopiesPerSecond``.
    ///
    /// Every broadcast is copied to every worker, so its cost grows with the fleet while the
    /// versions that trigger it grow with the reports: at 2,000 workers (1,000 reports a
    /// second, a version per 64) that was 15.6 policies a second to each, and FleetBench's
    /// report-to-ack p99 was 99-114 ms; broadcasting on the 100 ms timer alone gave 66 ms.
    /// Members, not connections, stand for the fan-out: behind relays that overestimates
    /// what the coordinator itself sends, never underestimates what reaches workers.
    func broadcastWithinBudget(at now: Moment) -> Bool {
        guard let last = lastPublish else { return true }
        let workers = Double(state.membership.members.count)
        return now.instant - last >= .seconds(workers / configuration.policyCopiesPerSecond)
    }

    mutating func publishAcknowledgements() {
        var acks = Wire.Acks()
        acks.workers = awaitingAcknowledgement.map(acknowledgement(of:))
        awaitingAcknowledgement.removeAll(keepingCapacity: true)
        tally(.acknowledgementPublished)
        effects.messages.append(.acks(acks))
    }

    /// Publishes the distribution, as a new version if anything changed since the last one.
    mutating func publishPolicy(at now: Moment) {
        if changedSincePublish { advanceVersion(at: now) }
        broadcastPolicy(at: now)
    }

    /// Publishes the current version as it is.
    mutating func broadcastPolicy(at now: Moment) {
        versionUnpublished = false
        lastPublish = now.instant
        tally(.policyPublished)
        effects.messages.append(.policy(currentPolicy(at: now)))
    }

    /// Journals the signature counters of the joins, heartbeats and leaves taken in since
    /// the last call, so that a restart does not reopen their replay windows. Called when
    /// a batch commits anyway and once a status interval besides: heartbeats alone cost at
    /// most one more `fdatasync` a second rather than one per batch. A heartbeat taken in
    /// within that second before a crash could be replayed once after it, renewing a lease
    /// and nothing more.
    mutating func journalSignatureCounters(at now: Moment) {
        guard let counters = authenticator?.takeMembershipCounters(),
            let change = state.signatureCountersChange(counters)
        else { return }
        recordAccepted(change, at: now)
    }

    mutating func advanceVersion(at now: Moment) {
        // One above the current version: the state cannot refuse it.
        recordAccepted(.advanced(version: state.curriculum.version + 1), at: now)
        changedSincePublish = false
        reportsSincePublish = 0
    }
}
