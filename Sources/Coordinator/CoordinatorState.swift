import Curriculum

/// Everything the coordinator must not forget across a crash: the curriculum (policy,
/// version, exact totals), each worker incarnation's sequence ledger and rejection count,
/// the membership, and the categories it knows.
///
/// It is changed only through ``StateChange`` values, live and on recovery alike:
/// replaying a journal of changes onto a snapshot rebuilds exactly the state the
/// coordinator had when it last committed. No I/O happens here.
public struct CoordinatorState: Sendable {
    public private(set) var curriculum: Curriculum
    public internal(set) var ledgers: [WorkerKey: SequenceLedger] = [:]
    /// Reports acknowledged without being merged (stale or invalid), per incarnation.
    public internal(set) var rejectedByWorker: [WorkerKey: UInt64] = [:]
    public var membership: Membership
    public internal(set) var knownCategories: Set<String>
    /// Finished incarnations, reduced to their final sequence (see ``retireFinished(at:wallClockMs:policy:)``).
    public internal(set) var retired = RetiredIncarnations()
    /// The highest signature counter of each incarnation's accepted join, heartbeat or
    /// leave, so that a restarted coordinator refuses those frames replayed (see
    /// ``StateChange/signatureCounters(_:)``). Dropped when the incarnation retires.
    public internal(set) var signatureCounters: [WorkerKey: UInt64] = [:]
    let sequenceWindow: UInt64

    public init(curriculum: Curriculum, lease: Duration, sequenceWindow: UInt64) {
        self.curriculum = curriculum
        self.membership = Membership(lease: lease)
        self.knownCategories = Set(curriculum.totals.keys).union(curriculum.policy.categories)
        self.sequenceWindow = sequenceWindow
    }

    /// Why a replayed change could not be applied: the journal does not belong to the snapshot.
    public struct InconsistentChange: Error, Sendable, CustomStringConvertible {
        public var change: String
        public var reason: String
        public var description: String { "cannot replay \(change): \(reason)" }
    }

    /// Applies a change read back from the journal, with the same steps the live
    /// coordinator took when it recorded it.
    public mutating func apply(_ change: StateChange, at now: ContinuousClock.Instant) throws(InconsistentChange) {
        switch change {
        case .merged(let merged):
            _ = admit(merged.worker, sequence: merged.sequence, settlingBelow: merged.resendFloor)
            // The live coordinator validated it against this same state; only a journal
            // from another state can fail here.
            if let problem = merge(merged, acceptingNewCategories: true, at: now) {
                throw InconsistentChange(change: "report \(merged.sequence) of \(merged.worker)", reason: "\(problem)")
            }
        case .rejected(let worker, let sequence, let resendFloor):
            _ = admit(worker, sequence: sequence, settlingBelow: resendFloor)
            recordRejection(of: worker)
        case .settled(let worker, let floor):
            settle(worker, below: floor)
        case .advanced(let version):
            do {
                try advance(to: version)
            } catch {
                throw InconsistentChange(change: "advance to version \(version)", reason: "\(error)")
            }
        case .registered(let category):
            register(category)
        case .joined(let worker, let hostname, let stepShare):
            heard(from: worker, at: now, joining: true, hostname: hostname, stepShare: stepShare)
        case .left(let worker):
            membership.left(worker, at: now)
        case .retired(let worker, let finalSequence, let atMs):
            retire(worker, finalSequence: finalSequence, atMs: atMs)
        case .signatureCounters(let counters):
            recordSignatureCounters(counters)
        }
    }

    // MARK: - The steps changes are made of

    /// Runs a report's sequence number through its incarnation's ledger.
    /// A retired incarnation's report is a duplicate at or below its final sequence and
    /// out of window above it (the coordinator refuses it as `retired_incarnation`).
    mutating func admit(_ worker: WorkerKey, sequence: UInt64, settlingBelow floor: UInt64) -> SequenceLedger.Admission {
        // Mutated in place: a copy taken out of the dictionary would make the ledger's
        // set storage shared, so every insert would copy it.
        if let index = ledgers.index(forKey: worker) {
            return ledgers.values[index].admit(sequence, settlingBelow: floor)
        }
        // An incarnation's first report, or a retired one's: only then is the set consulted.
        if let record = retired[worker] {
            return sequence <= record.finalSequence ? .duplicate : .outOfWindow
        }
        var ledger = SequenceLedger(window: sequenceWindow)
        let admission = ledger.admit(sequence, settlingBelow: floor)
        ledgers[worker] = ledger
        return admission
    }

    /// Closes the gaps below `floor`; returns whether the watermark moved.
    @discardableResult
    mutating func settle(_ worker: WorkerKey, below floor: UInt64) -> Bool {
        guard let before = ledgers[worker]?.contiguousThrough else { return false }
        ledgers[worker]?.settle(below: floor)
        return ledgers[worker]?.contiguousThrough != before
    }

    /// Merges a report whole, or returns why it cannot be merged and changes nothing.
    ///
    /// One mutating step rather than a check and a merge: a non-mutating method on the
    /// coordinator actor's state made Swift copy the whole state for the call, per report.
    mutating func merge(
        _ report: MergedReport, acceptingNewCategories: Bool, at now: ContinuousClock.Instant
    ) -> IngestRejection? {
        if let rejection = validate(report, acceptingNewCategories: acceptingNewCategories) { return rejection }
        merge(report, at: now)
        return nil
    }

    /// Checks every category of a report against the current version and the known
    /// categories, so that a report merges whole or not at all.
    private func validate(_ report: MergedReport, acceptingNewCategories: Bool) -> IngestRejection? {
        guard !report.categories.isEmpty else {
            return .emptyReport(worker: report.worker, sequence: report.sequence)
        }
        for candidate in report.categories {
            do {
                try candidate.validate()
                _ = try curriculum.staleness.weight(reportVersion: candidate.version, current: curriculum.version)
            } catch {
                return .report(worker: report.worker, sequence: report.sequence, category: candidate.category, error)
            }
            if !acceptingNewCategories, !knownCategories.contains(candidate.category) {
                return .unknownCategory(worker: report.worker, sequence: report.sequence, category: candidate.category)
            }
        }
        return nil
    }

    /// Merges a report that passed ``validate(_:acceptingNewCategories:)`` against this
    /// same state into the curriculum and the worker's membership counts.
    private mutating func merge(_ report: MergedReport, at now: ContinuousClock.Instant) {
        var samples: UInt64 = 0
        for candidate in report.categories {
            // Validated against this version and these categories: apply cannot refuse it.
            let outcome = try! curriculum.apply(candidate)
            // Every category with totals is known already (the initialisers take them all
            // in, and nothing is ever forgotten): only a category's first report can add one.
            if outcome.isFirstOfCategory { knownCategories.insert(candidate.category) }
            samples += UInt64(candidate.count)
        }
        membership.heardIfUnknown(from: report.worker, at: now)
        membership.recordReport(
            from: report.worker, policyVersion: UInt64(report.policyVersion),
            staleness: UInt64(max(0, curriculum.version - report.policyVersion)), samples: samples, at: now)
    }

    mutating func recordRejection(of worker: WorkerKey) {
        rejectedByWorker[worker, default: 0] += 1
    }

    mutating func advance(to version: Int) throws(Curriculum.VersionRegression) {
        try curriculum.advance(to: version)
    }

    /// Registers a category; returns false if it was known already.
    @discardableResult
    mutating func register(_ category: String) -> Bool {
        guard knownCategories.insert(category).inserted else { return false }
        curriculum.register(category)
        return true
    }

    mutating func distribution() -> CurriculumDistribution {
        curriculum.distribution()
    }
}
