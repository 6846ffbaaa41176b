/// Worker incarnations that finished and were dropped from the membership and the ledgers,
/// each reduced to the one number exactly-once still needs: its final sequence.
///
/// An incarnation is retired only once nothing it sent is pending (see
/// ``CoordinatorState/retireFinished(at:wallClockMs:policy:)``), so every sequence number
/// at or below `finalSequence` was merged or rejected once, and none above it ever arrived.
/// A report it resends later is answered from this record alone: at or below the final
/// sequence it is a duplicate (acknowledged again, merged never); above it, refused.
///
/// Records expire ``RetirementPolicy/expiry`` after retirement, measured on the wall
/// clock so that the age survives restarts. The set therefore holds at most the
/// incarnations retired within one expiry: with 1,000 workers replaced hourly and the
/// default 24 hours, 24,000 records of about 60 bytes in memory and 50 in the snapshot.
public struct RetiredIncarnations: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        /// Every sequence number up to and including this one was settled.
        public var finalSequence: UInt64
        /// Wall-clock milliseconds (Unix epoch) of the retirement.
        public var retiredAtMs: UInt64
        /// Where its key sits in `order`, counted from the first key ever appended.
        fileprivate var position: Int = 0

        public init(finalSequence: UInt64, retiredAtMs: UInt64) {
            self.finalSequence = finalSequence
            self.retiredAtMs = retiredAtMs
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.finalSequence == rhs.finalSequence && lhs.retiredAtMs == rhs.retiredAtMs
        }
    }

    private var records: [WorkerKey: Record] = [:]
    /// Keys in retirement order, oldest first, from `head` on: retirement times are kept
    /// non-decreasing (see `retire`), so expiry only ever pops from the front and costs
    /// nothing per record that stays. Entries of revived keys are skipped when reached.
    private var order: [WorkerKey] = []
    private var head = 0
    /// Keys removed from the front of `order`, so that `dropped + index` is a position.
    private var dropped = 0
    /// Every incarnation ever retired, expired ones included.
    public private(set) var totalRetired: UInt64 = 0

    public init() {}

    public var count: Int { records.count }
    public var isEmpty: Bool { records.isEmpty }

    public subscript(key: WorkerKey) -> Record? { records[key] }

    public func contains(_ key: WorkerKey) -> Bool { records[key] != nil }

    /// Remembers `key` as finished through `finalSequence`. A wall clock that stepped back
    /// is held at the newest retirement, so the order stays sorted by time.
    public mutating func retire(_ key: WorkerKey, finalSequence: UInt64, atMs: UInt64) {
        let retiredAtMs = max(atMs, newestRetirementMs)
        var record = Record(finalSequence: finalSequence, retiredAtMs: retiredAtMs)
        record.position = dropped + order.count
        if records.updateValue(record, forKey: key) == nil {
            totalRetired += 1
        }
        order.append(key)
        newestRetirementMs = retiredAtMs
    }

    private var newestRetirementMs: UInt64 = 0

    /// Takes `key` out of the set (a retired incarnation that joined again); returns its record.
    public mutating func revive(_ key: WorkerKey) -> Record? {
        records.removeValue(forKey: key)
    }

    /// Forgets records retired at or before `cutoffMs`; returns how many.
    @discardableResult
    public mutating func expire(retiredAtOrBefore cutoffMs: UInt64) -> Int {
        var expired = 0
        while head < order.count {
            let key = order[head]
            // An entry whose key was revived, or revived and retired again (its record then
            // names a later position), is stale: skipped.
            if let record = records[key], record.position == dropped + head {
                guard record.retiredAtMs <= cutoffMs else { break }
                records.removeValue(forKey: key)
                expired += 1
            }
            head += 1
        }
        // Reclaims the popped front once it is most of the array: amortised O(1) per record.
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            dropped += head
            head = 0
        }
        return expired
    }

    /// The records, oldest retirement first: the snapshot's form.
    public var sorted: [(key: WorkerKey, record: Record)] {
        records.map { (key: $0.key, record: $0.value) }
            .sorted { ($0.record.retiredAtMs, $0.key.workerID, $0.key.incarnation)
                < ($1.record.retiredAtMs, $1.key.workerID, $1.key.incarnation) }
    }

    /// Rebuilds a set saved with ``sorted``.
    public init(restoring saved: [(key: WorkerKey, record: Record)], totalRetired: UInt64) {
        for entry in saved.sorted(by: { $0.record.retiredAtMs < $1.record.retiredAtMs }) {
            retire(entry.key, finalSequence: entry.record.finalSequence, atMs: entry.record.retiredAtMs)
        }
        self.totalRetired = max(totalRetired, UInt64(records.count))
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.records == rhs.records && lhs.totalRetired == rhs.totalRetired
    }
}
