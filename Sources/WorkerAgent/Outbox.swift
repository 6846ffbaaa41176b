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
        /// When it was queued and first sent, for the time to its acknowledgement.
        var queuedAt: ContinuousClock.Instant
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
    /// Slot `i` holds sequence number `firstSequence + i`, nil once it is acknowledged or
    /// abandoned; the first slot is never nil. Sequence numbers are consecutive, so this
    /// finds a report without hashing, on the path every report and acknowledgement takes.
    private var slots: Deque<Entry?> = []
    /// Whether each slot still holds its report. Kept beside `slots` because reading an
    /// entry out of a `Deque` copies it (and retains its report) just to test it for nil.
    private var isPending: Deque<Bool> = []
    private var firstSequence: UInt64 = 1
    /// Reports pending: the slots that are not nil.
    private(set) var count = 0
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

    var isEmpty: Bool { count == 0 }

    /// Every sequence number below this one is acknowledged or abandoned.
    var resendFloor: UInt64 { slots.isEmpty ? nextSequence : firstSequence }

    /// Numbers `report`, stores it and schedules its first retransmission.
    /// The caller sends it at once.
    mutating func enqueue(_ report: inout ReportFrame, at now: ContinuousClock.Instant) -> Admission {
        var dropped: UInt64?
        if count >= capacity {
            guard overflow == .dropOldest else { return .full }
            dropped = firstSequence
            settle(at: 0)
            abandoned += 1
        }
        let sequence = nextSequence
        nextSequence += 1
        report.sequence = sequence
        report.resendFloor = isEmpty ? sequence : resendFloor
        let entry = Entry(report: report, attempts: 1, nextAttempt: now + backoff(afterAttempts: 1), queuedAt: now)
        if slots.isEmpty { firstSequence = sequence }
        slots.append(entry)
        isPending.append(true)
        count += 1
        earliestAttempt = min(earliestAttempt ?? entry.nextAttempt, entry.nextAttempt)
        return dropped.map { .queuedDropping(sequence: sequence, dropped: $0) } ?? .queued(sequence: sequence)
    }

    /// Whether the report numbered `sequence` is still unacknowledged (not yet acknowledged
    /// or abandoned).
    func isPending(_ sequence: UInt64) -> Bool {
        sequence >= firstSequence && sequence - firstSequence < UInt64(slots.count)
            && isPending[Int(sequence - firstSequence)]
    }

    /// Forgets what `ack` covers and returns how many reports it settled; `timing`, when given,
    /// gets each one's time from being queued to `now`. Without it the settled entries are not
    /// read at all: a read copies the entry and retains its report, per report, for nothing
    /// when metrics are off.
    @discardableResult
    mutating func acknowledge(
        _ ack: Acknowledgement, at now: ContinuousClock.Instant = .now, timing: ((Duration) -> Void)? = nil
    ) -> Int {
        let before = count
        while !slots.isEmpty, firstSequence <= ack.contiguousThrough {
            if let timing, let entry = slots[0] { timing(now - entry.queuedAt) }
            settle(at: 0)
        }
        for sequence in ack.selective where sequence >= firstSequence && sequence - firstSequence < UInt64(slots.count) {
            let index = Int(sequence - firstSequence)
            if let timing, isPending[index], let entry = slots[index] { timing(now - entry.queuedAt) }
            settle(at: index)
        }
        return before - count
    }

    /// Forgets the report in slot `index`, if it is still pending, and drops the slots
    /// before the first one still pending.
    private mutating func settle(at index: Int) {
        if isPending[index] {
            isPending[index] = false
            slots[index] = nil
            count -= 1
        }
        while isPending.first == false {
            isPending.removeFirst()
            slots.removeFirst()
            firstSequence += 1
        }
    }

    /// The reports whose retransmission time has come, each rescheduled with a
    /// doubled, jittered timeout and stamped with the current resend floor.
    mutating func due(at now: ContinuousClock.Instant, limit: Int = .max) -> [ReportFrame] {
        guard let earliest = earliestAttempt, earliest <= now else { return [] }
        let floor = resendFloor
        var reports: [ReportFrame] = []
        var next: ContinuousClock.Instant?
        for index in slots.indices {
            guard var entry = slots[index] else { continue }
            if entry.nextAttempt <= now, reports.count < limit {
                entry.attempts += 1
                entry.nextAttempt = now + backoff(afterAttempts: entry.attempts)
                entry.report.resendFloor = floor
                slots[index] = entry
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
        for index in slots.indices where isPending[index] { slots[index]!.nextAttempt = now }
        if !isEmpty { earliestAttempt = now }
    }

    /// The earliest scheduled retransmission, if any report is pending.
    var nextDeadline: ContinuousClock.Instant? {
        slots.lazy.compactMap { $0?.nextAttempt }.min()
    }

    /// Timeout after `attempts` sends: initial * 2^(attempts-1), capped, with
    /// +-25% jitter so workers that lost the coordinator together do not
    /// retransmit in lockstep when it returns.
    private mutating func backoff(afterAttempts attempts: Int) -> Duration {
        // Every report's first send skips the product: Duration's generic multiplication by
        // an integer was 1.2% of all CPU time of in-process ingest (IngestBench, 16 agents).
        let doubled = attempts == 1 ? initialTimeout : initialTimeout * (1 << min(attempts - 1, 20))
        let capped = min(doubled, maximumTimeout)
        let jitter = 0.75 + 0.5 * Double(random.next() >> 11) / Double(1 << 53)
        return capped * jitter
    }
}
