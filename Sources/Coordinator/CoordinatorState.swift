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
    /// Finished incarnations, reduced to their final sequence (see ``retirements(at:wallClockMs:policy:)``).
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

    /// Why the state refused a change; it then changed nothing.
    public enum Refusal: Error, Sendable, Equatable {
        /// A merge of a report that fails validation against this state.
        case report(IngestRejection)
        case versionRegression(Curriculum.VersionRegression)
    }

    /// Applies a change read back from the journal, through the same function the live
    /// coordinator's engine applied it with.
    public mutating func apply(_ change: StateChange, at now: ContinuousClock.Instant) throws(InconsistentChange) {
        do throws(Refusal) {
            try apply(change, acceptingNewCategories: true, at: now)
        } catch {
            // The engine validated it against this same state; only a journal from another
            // state can fail here.
            let what = switch change {
            case .merged(let merged): "report \(merged.sequence) of \(merged.worker)"
            default: "\(change)"
            }
            let reason = switch error {
            case .report(let problem): "\(problem)"
            case .versionRegression(let regression): "\(regression)"
            }
            throw InconsistentChange(change: what, reason: reason)
        }
    }

    /// Applies one change: the only way the state changes, live and on recovery alike.
    /// A report that fails validation (or names an unknown category while
    /// `acceptingNewCategories` is false) is refused whole, and nothing changes.
    public mutating func apply(
        _ change: StateChange, acceptingNewCategories: Bool, at now: ContinuousClock.Instant
    ) throws(Refusal) {
        switch change {
        case .merged(let merged):
            let weighed: Weighed
            switch check(merged, acceptingNewCategories: acceptingNewCategories) {
            case .success(let value): weighed = value
            case .failure(let rejection): throw .report(rejection)
            }
            _ = admit(merged.worker, sequence: merged.sequence, settlingBelow: merged.resendFloor)
            merge(merged, weighed, at: now)
        case .rejected(let worker, let sequence, let resendFloor):
            _ = admit(worker, sequence: sequence, settlingBelow: resendFloor)
            rejectedByWorker[worker, default: 0] += 1
        case .settled(let worker, let floor):
            settle(worker, below: floor)
        case .advanced(let version):
            do throws(Curriculum.VersionRegression) {
                try curriculum.advance(to: version)
            } catch {
                throw .versionRegression(error)
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
    private mutating func admit(
        _ worker: WorkerKey, sequence: UInt64, settlingBelow floor: UInt64
    ) -> SequenceLedger.Admission {
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

    /// What ``admit(_:sequence:settlingBelow:)`` would answer now, and whether the floor
    /// would move the watermark of a ledger that exists; changes nothing.
    func preview(
        _ worker: WorkerKey, sequence: UInt64, settlingBelow floor: UInt64
    ) -> (admission: SequenceLedger.Admission, watermarkMoves: Bool) {
        guard let ledger = ledgers[worker] else {
            if let record = retired[worker] {
                return (sequence <= record.finalSequence ? .duplicate : .outOfWindow, false)
            }
            // Settling a ledger that does not exist changes nothing (see `settle`).
            return (SequenceLedger(window: sequenceWindow).preview(sequence, settlingBelow: floor).admission, false)
        }
        return ledger.preview(sequence, settlingBelow: floor)
    }

    /// Closes the gaps below `floor`.
    private mutating func settle(_ worker: WorkerKey, below floor: UInt64) {
        ledgers[worker]?.settle(below: floor)
    }

    /// A validated report's staleness and weight: every category carries the report's
    /// version, so it is weighed once, not per category.
    private typealias Weighed = (staleness: Int, weight: Double)

    /// Checks every category of a report, and its staleness, against the current version
    /// and the known categories, once, so that it merges whole or not at all.
    private func check(_ report: MergedReport, acceptingNewCategories: Bool) -> Result<Weighed, IngestRejection> {
        guard !report.categories.isEmpty else {
            return .failure(.emptyReport(worker: report.worker, sequence: report.sequence))
        }
        var weighed: Weighed?
        for candidate in report.categories {
            do throws(ReportRejection) {
                try candidate.validate()
                // After the first category's own checks, as when each category was weighed.
                if weighed == nil {
                    weighed = try curriculum.staleness.weight(
                        reportVersion: report.policyVersion, current: curriculum.version)
                }
            } catch {
                return .failure(.report(
                    worker: report.worker, sequence: report.sequence, category: candidate.category, error))
            }
            if !acceptingNewCategories, !knownCategories.contains(candidate.category) {
                return .failure(
                    .unknownCategory(worker: report.worker, sequence: report.sequence, category: candidate.category))
            }
        }
        // Set at the first category, which exists.
        return .success(weighed!)
    }

    /// Merges a report that passed ``check(_:acceptingNewCategories:)`` against this same
    /// state into the curriculum and the worker's membership counts.
    private mutating func merge(_ report: MergedReport, _ weighed: Weighed, at now: ContinuousClock.Instant) {
        var samples: UInt64 = 0
        for candidate in report.categories {
            // Every category with totals is known already (the initialisers take them all
            // in, and nothing is ever forgotten): only a category's first report can add one.
            if curriculum.merge(validated: candidate, weight: weighed.weight) {
                knownCategories.insert(candidate.category)
            }
            samples += UInt64(candidate.count)
        }
        membership.heardIfUnknown(from: report.worker, at: now)
        membership.recordReport(
            from: report.worker, policyVersion: UInt64(clamping: report.policyVersion),
            staleness: UInt64(weighed.staleness), samples: samples, at: now)
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
