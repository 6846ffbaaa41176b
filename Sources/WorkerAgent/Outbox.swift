import Collections
import Curriculum
import CurriculumWire

/// The worker's unacknowledged reports: numbering, retransmission with
/// exponential backoff, acknowledgement and a bounded buffer.
///
/// Pure state: the agent decides when to call `due(at:)` and sends what it returns.
struct Outbox: Sendable {
    struct Entry: Sendable {
        var report: ReportFrame
        var attempts: Int
        var nextAttempt: ContinuousClock.Instant
    }

    enum Admission: Sendable, Equatable {
        case queued(sequence: UInt64)
        /// Queued after abandoning this older report.
        case queuedDropping(sequence: UInt64, dropped: UInt64)
        case full
    }

    let capacity: Int
    let overflow: OutboxOverflowPolicy
    let initialTimeout: Duration
    let maximumTimeout: Duration

    private(set) var nextSequence: UInt64 = 1
    private var pending: [UInt64: Entry] = [:]
    /// Sequence numbers in send order; some may already be acknowledged and are skipped lazily.
    private var order: Deque<UInt64> = []
    private var random: Xoshiro256StarStar
    private(set) var abandoned: UInt64 = 0
    /// No pending report is due before this: `due(at:)` skips its scan of the whole outbox
    /// until then. A lower bound, not exact: acknowledgements leave it early, never late.
    private var earliestAttempt: ContinuousClock.Instant?

    init(
        capacity: Int,
        overflow: OutboxOverflowPolicy,
        initialTimeout: Duration,
        maximumTimeout: Duration,
        seed: UInt64
    ) {
        precondition(capacity > 0, "an outbox needs room for at least one report")
        self.capacity = capacity
        self.overflow = overflow
        self.initialTimeout = initialTimeout
        self.maximumTimeout = maximumTimeout
        self.random = Xoshiro256StarStar(seed: seed)
    }

    var count: Int { pending.count }
    var isEmpty: Bool { pending.isEmpty }

    /// Every sequence number below this one is acknowledged or abandoned.
    var resendFloor: UInt64 {
        mutating get {
            while let first = order.first, pending[first] == nil { order.removeFirst() }
            return order.first ?? nextSequence
        }
    }

    /// Numbers `report`, stores it and schedules its first retransmission.
    /// The caller sends it at once.
    mutating func enqueue(_ report: inout ReportFrame, at now: ContinuousClock.Instant) -> Admission {
        var dropped: UInt64?
        if pending.count >= capacity {
            guard overflow == .dropOldest else { return .full }
            let oldest = resendFloor
            pending[oldest] = nil
            abandoned += 1
            dropped = oldest
        }
        let sequence = nextSequence
        nextSequence += 1
        report.sequence = sequence
        report.resendFloor = pending.isEmpty ? sequence : resendFloor
        let entry = Entry(report: report, attempts: 1, nextAttempt: now + backoff(afterAttempts: 1))
        pending[sequence] = entry
        earliestAttempt = min(earliestAttempt ?? entry.nextAttempt, entry.nextAttempt)
        order.append(sequence)
        return dropped.map { .queuedDropping(sequence: sequence, dropped: $0) } ?? .queued(sequence: sequence)
    }

    /// Forgets what `ack` covers and returns how many reports it settled.
    @discardableResult
    mutating func acknowledge(_ ack: Acknowledgement) -> Int {
        var settled = 0
        while let first = order.first, first <= ack.contiguousThrough {
            order.removeFirst()
            if pending.removeValue(forKey: first) != nil { settled += 1 }
        }
        for sequence in ack.selective where pending.removeValue(forKey: sequence) != nil {
            settled += 1
        }
        return settled
    }

    /// The reports whose retransmission time has come, each rescheduled with a
    /// doubled, jittered timeout and stamped with the current resend floor.
    mutating func due(at now: ContinuousClock.Instant, limit: Int = .max) -> [ReportFrame] {
        guard let earliest = earliestAttempt, earliest <= now else { return [] }
        let floor = resendFloor
        var reports: [ReportFrame] = []
        var next: ContinuousClock.Instant?
        for sequence in order {
            guard var entry = pending[sequence] else { continue }
            if entry.nextAttempt <= now, reports.count < limit {
                entry.attempts += 1
                entry.nextAttempt = now + backoff(afterAttempts: entry.attempts)
                entry.report.resendFloor = floor
                pending[sequence] = entry
                reports.append(entry.report)
            }
            next = min(next ?? entry.nextAttempt, entry.nextAttempt)
        }
        earliestAttempt = next
        return reports
    }

    /// Makes every pending report due now: after a reconnection there is no
    /// reason to wait out the backoff.
    mutating func expediteAll(at now: ContinuousClock.Instant) {
        for key in pending.keys { pending[key]!.nextAttempt = now }
        if !pending.isEmpty { earliestAttempt = now }
    }

    /// The earliest scheduled retransmission, if any report is pending.
    var nextDeadline: ContinuousClock.Instant? {
        pending.values.lazy.map(\.nextAttempt).min()
    }

    /// Timeout after `attempts` sends: initial * 2^(attempts-1), capped, with
    /// +-25% jitter so workers that lost the coordinator together do not
    /// retransmit in lockstep when it returns.
    private mutating func backoff(afterAttempts attempts: Int) -> Duration {
        let doubled = initialTimeout * (1 << min(attempts - 1, 20))
        let capped = min(doubled, maximumTimeout)
        let jitter = 0.75 + 0.5 * Double(random.next() >> 11) / Double(1 << 53)
        return capped * jitter
    }
}
