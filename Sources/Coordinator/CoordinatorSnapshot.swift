import Curriculum
import Foundation

/// The coordinator's whole durable state as one JSON document: what the state directory
/// keeps as `snapshot.json`, and what `curriculum snapshot export` writes next to a
/// trainer checkpoint.
public struct CoordinatorSnapshot: Codable, Sendable {
    /// 2 added `retired`, `retiredTotal` and each worker's `signatureCounter`; format 1
    /// snapshots (without them) are read as having retired nobody. A build that reads
    /// only format 1 refuses format 2 rather than forget the retired records.
    public static let currentFormat = 2
    public static let readableFormats = 1...currentFormat

    public var format: Int
    public var savedAt: Date
    /// The trainer step this snapshot was exported for, if one was named.
    public var trainerStep: Int?
    /// The journal whose changes come after this snapshot.
    public var journalGeneration: UInt64
    public var curriculum: Curriculum
    public var knownCategories: [String]
    public var workers: [Worker]
    /// Retired incarnations still remembered, oldest first (nil in format 1).
    public var retired: [RetiredWorker]?
    /// Incarnations ever retired, expired ones included.
    public var retiredTotal: UInt64?

    /// One worker incarnation: its membership and its sequence ledger.
    public struct Worker: Codable, Sendable {
        public var workerID: String
        public var incarnation: UInt64
        public var state: Membership.State
        public var hostname: String
        public var stepShare: Double
        public var lastPolicyVersion: UInt64
        public var lastStaleness: UInt64
        public var reportsAccepted: UInt64
        public var samplesAccepted: UInt64
        public var reportsRejected: UInt64
        public var ledger: SequenceLedger?
        /// The highest signature counter of its accepted membership frames.
        public var signatureCounter: UInt64?

        var key: WorkerKey { WorkerKey(workerID: workerID, incarnation: incarnation) }
    }

    /// A retired incarnation as `[worker_id, incarnation, final_sequence, retired_at_ms]`:
    /// an array rather than an object, as there may be tens of thousands.
    public struct RetiredWorker: Codable, Sendable, Equatable {
        public var worker: WorkerKey
        public var finalSequence: UInt64
        public var retiredAtMs: UInt64

        public init(from decoder: any Decoder) throws {
            var fields = try decoder.unkeyedContainer()
            worker = WorkerKey(workerID: try fields.decode(String.self), incarnation: try fields.decode(UInt64.self))
            finalSequence = try fields.decode(UInt64.self)
            retiredAtMs = try fields.decode(UInt64.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var fields = encoder.unkeyedContainer()
            try fields.encode(worker.workerID)
            try fields.encode(worker.incarnation)
            try fields.encode(finalSequence)
            try fields.encode(retiredAtMs)
        }

        init(worker: WorkerKey, finalSequence: UInt64, retiredAtMs: UInt64) {
            self.worker = worker
            self.finalSequence = finalSequence
            self.retiredAtMs = retiredAtMs
        }
    }

    public var policyVersion: Int { curriculum.version }

    public func encoded() throws(StateStoreError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        // Values are finite in practice; the strategy keeps an extreme one from making the
        // state unsavable.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try encoder.encode(self)
        } catch {
            throw .encoding("\(error)")
        }
    }

    public static func decode(_ data: Data, path: String) throws(StateStoreError) -> CoordinatorSnapshot {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let snapshot: CoordinatorSnapshot
        do {
            snapshot = try decoder.decode(CoordinatorSnapshot.self, from: data)
        } catch {
            throw .corrupt(path: path, reason: "\(error)")
        }
        guard readableFormats.contains(snapshot.format) else {
            throw .corrupt(
                path: path,
                reason: "snapshot format \(snapshot.format), this build reads \(readableFormats.lowerBound)-\(currentFormat)")
        }
        return snapshot
    }
}

extension CoordinatorState {
    /// The state as a snapshot, to be followed by the journal of `generation`.
    public func snapshot(journalGeneration generation: UInt64, savedAt: Date = Date()) -> CoordinatorSnapshot {
        let keys = Set(ledgers.keys).union(membership.members.keys).union(rejectedByWorker.keys)
        let workers = keys.sorted { ($0.workerID, $0.incarnation) < ($1.workerID, $1.incarnation) }.map { key in
            let member = membership.members[key]
            return CoordinatorSnapshot.Worker(
                workerID: key.workerID, incarnation: key.incarnation, state: member?.state ?? .left,
                hostname: member?.hostname ?? "", stepShare: member?.stepShare ?? 0,
                lastPolicyVersion: member?.lastPolicyVersion ?? 0, lastStaleness: member?.lastStaleness ?? 0,
                reportsAccepted: member?.reportsAccepted ?? 0, samplesAccepted: member?.samplesAccepted ?? 0,
                reportsRejected: rejectedByWorker[key] ?? 0, ledger: ledgers[key],
                signatureCounter: signatureCounters[key])
        }
        return CoordinatorSnapshot(
            format: CoordinatorSnapshot.currentFormat, savedAt: savedAt, trainerStep: nil,
            journalGeneration: generation, curriculum: curriculum, knownCategories: knownCategories.sorted(),
            workers: workers,
            retired: retired.sorted.map {
                .init(worker: $0.key, finalSequence: $0.record.finalSequence, retiredAtMs: $0.record.retiredAtMs)
            },
            retiredTotal: retired.totalRetired)
    }

    /// The state a snapshot describes. Every worker's lease starts over at `now`: the
    /// coordinator cannot know how long it was down.
    public init(
        restoring snapshot: CoordinatorSnapshot, lease: Duration, sequenceWindow: UInt64, at now: ContinuousClock.Instant
    ) {
        self.init(curriculum: snapshot.curriculum, lease: lease, sequenceWindow: sequenceWindow)
        knownCategories.formUnion(snapshot.knownCategories)
        for worker in snapshot.workers {
            membership.restore(
                worker.key, state: worker.state, hostname: worker.hostname, stepShare: worker.stepShare,
                lastPolicyVersion: worker.lastPolicyVersion, lastStaleness: worker.lastStaleness,
                reportsAccepted: worker.reportsAccepted, samplesAccepted: worker.samplesAccepted, at: now)
            if let ledger = worker.ledger { ledgers[worker.key] = ledger }
            if worker.reportsRejected > 0 { rejectedByWorker[worker.key] = worker.reportsRejected }
            if let counter = worker.signatureCounter { signatureCounters[worker.key] = counter }
        }
        retired = RetiredIncarnations(
            restoring: (snapshot.retired ?? []).map {
                (key: $0.worker, record: .init(finalSequence: $0.finalSequence, retiredAtMs: $0.retiredAtMs))
            },
            totalRetired: snapshot.retiredTotal ?? 0)
    }
}

extension CoordinatorSnapshot {
    /// The state a coordinator's state directory holds, journal replayed, without
    /// changing any file: safe while the coordinator runs.
    public init(stateDirectory directory: String) throws {
        self = try StateStore.load(directory: directory)
    }

    /// Makes this snapshot what a coordinator started with `--state directory` resumes
    /// from, replacing the directory's state.
    public func install(stateDirectory directory: String) throws(StateStoreError) {
        try StateStore.install(self, directory: directory)
    }
}
