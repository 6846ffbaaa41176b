/// Retiring finished worker incarnations, and answering for them once retired.
extension CoordinatorState {
    /// Retires every incarnation that finished (left, replaced, or lost) at least
    /// `policy.grace` ago and has nothing pending, and forgets retired records older than
    /// `policy.expiry`. Returns the retirements, for the journal: the coordinator calls
    /// this on its periodic tick. Expiry is not journaled: it depends on the wall clock
    /// alone, so a replayed state expires the same records at its next call.
    ///
    /// The scan visits every member, as lease expiry does, on the same cadence.
    public mutating func retireFinished(
        at now: ContinuousClock.Instant, wallClockMs: UInt64, policy: RetirementPolicy
    ) -> [StateChange] {
        let expiryMs = policy.expiry.milliseconds
        if wallClockMs > expiryMs { retired.expire(retiredAtOrBefore: wallClockMs - expiryMs) }
        var changes: [StateChange] = []
        for member in membership.members.values {
            guard let finalSequence = finalSequence(ifRetirable: member, at: now, policy: policy) else { continue }
            changes.append(.retired(member.key, finalSequence: finalSequence, atMs: wallClockMs))
        }
        for case .retired(let key, let finalSequence, let atMs) in changes {
            retire(key, finalSequence: finalSequence, atMs: atMs)
        }
        return changes
    }

    /// The sequence a finished member would be retired through, or nil if it is not done.
    private func finalSequence(
        ifRetirable member: Membership.Member, at now: ContinuousClock.Instant, policy: RetirementPolicy
    ) -> UInt64? {
        guard member.state != .active else { return nil }
        // A lost worker finished when its lease ran out, not when it was last heard.
        let finishedFor = now - member.lastSeen - (member.state == .lost ? membership.lease : .zero)
        guard finishedFor >= policy.grace else { return nil }
        guard let ledger = ledgers[member.key] else { return 0 }
        if ledger.isSettled { return ledger.contiguousThrough }
        // A gap its worker never filled nor settled (it crashed mid-resend): waited for
        // longer, then given up. Numbers up to the highest received answer as duplicates.
        return finishedFor >= policy.abandonment ? ledger.highestReceived : nil
    }

    /// Drops `key` from the membership, the ledgers and the counts, keeping its record.
    mutating func retire(_ key: WorkerKey, finalSequence: UInt64, atMs: UInt64) {
        membership.remove(key)
        ledgers[key] = nil
        rejectedByWorker[key] = nil
        signatureCounters[key] = nil
        retired.retire(key, finalSequence: finalSequence, atMs: atMs)
    }

    /// Records that `key` spoke, as ``Membership/heard(from:at:joining:hostname:stepShare:)``
    /// does, except for a retired incarnation: anything but a join from it changes nothing
    /// (its reports are answered from its record), and a join brings it back with a ledger
    /// settled through its final sequence. That is exact: it sent nothing above it.
    @discardableResult
    public mutating func heard(
        from key: WorkerKey, at now: ContinuousClock.Instant, joining: Bool = false, hostname: String? = nil,
        stepShare: Double? = nil
    ) -> Membership.Change {
        if !retired.isEmpty, let record = retired[key] {
            guard joining else { return .none }
            _ = retired.revive(key)
            ledgers[key] = SequenceLedger(settledThrough: record.finalSequence, window: sequenceWindow)
        }
        return membership.heard(from: key, at: now, joining: joining, hostname: hostname, stepShare: stepShare)
    }

    /// The ledger `key` is acknowledged from: its own, or its retired record's.
    public func acknowledgedLedger(for key: WorkerKey) -> SequenceLedger {
        if let ledger = ledgers[key] { return ledger }
        return retired[key].map { SequenceLedger(settledThrough: $0.finalSequence) } ?? SequenceLedger()
    }

    /// The signature counters of `pending` worth keeping: those of members (a refused
    /// join or an unknown worker's leave changed nothing, so its replay changes nothing
    /// either). Nil when none is.
    public func signatureCountersChange(_ pending: [WorkerKey: UInt64]) -> StateChange? {
        let kept = pending.filter { membership.members[$0.key] != nil && signatureCounters[$0.key] ?? 0 < $0.value }
        guard !kept.isEmpty else { return nil }
        return .signatureCounters(kept.map { SignerCounter(worker: $0.key, counter: $0.value) }
            .sorted { ($0.worker.workerID, $0.worker.incarnation) < ($1.worker.workerID, $1.worker.incarnation) })
    }

    mutating func recordSignatureCounters(_ counters: [SignerCounter]) {
        for entry in counters {
            signatureCounters[entry.worker] = max(signatureCounters[entry.worker] ?? 0, entry.counter)
        }
    }
}

extension StateChange {
    /// The incarnation a `.retired` change retires.
    public var retiredWorker: WorkerKey? {
        if case .retired(let worker, _, _) = self { worker } else { nil }
    }
}
