import Curriculum
import CurriculumWire

/// The worker's side of the protocol as a value: joining and rejoining, the outbox, acknowledgements,
/// batching reports into frames, heartbeats and the drain. No sockets and no clock reads: every
/// decision takes the time as an argument and returns what to send, so the whole protocol can be
/// tested without a coordinator (WorkerSessionTests). `WorkerAgent` moves the bytes, wakes its
/// waiters and records metrics.
struct WorkerSession: Sendable {
    /// One frame for the coordinator.
    enum Outgoing: Sendable {
        /// A join, heartbeat or leave.
        case message(Wire.Envelope.OneOf_Body)
        /// Reports that travel in one REPT frame, in order.
        case reports(ReportFrameBatch)
    }

    /// What the protocol takes from the agent's configuration.
    struct Settings: Sendable {
        var identity: Wire.WorkerIdentity
        var hostname: String
        var stepShare: Double
        var joinRetryInterval: Duration
        /// How long the coordinator may stay silent, or a join unanswered, before the agent
        /// dials both endpoints anew (see ``redialDue(at:)``).
        var redialAfter: Duration = .seconds(10)
    }

    let settings: Settings
    /// `settings.identity` as reports carry it and acknowledgements are matched against it.
    let reportingWorker: ReportFrame.Worker
    /// The categories this worker can draw from, announced when it joins.
    var categories: [String]
    var outbox: Outbox
    var counters = WorkerAgentCounters()
    /// Everything queued for the coordinator, by category, totalled as the coordinator totals
    /// what it accepts: after a drain the two must agree.
    var queuedTotals: [String: CategoryTotals] {
        Dictionary(uniqueKeysWithValues: zip(queuedCategories.names, queuedTotalsByCategory))
    }
    /// The categories queued so far, and their totals by position: an ``ArmIndex`` finds an
    /// ASCII name faster than a dictionary hashes it (see there), on a path every entry of
    /// every report takes.
    var queuedCategories = ArmIndex()
    var queuedTotalsByCategory: [CategoryTotals] = []

    /// Reports queued since the last flush, not sent yet: a flush sends all of them, as few
    /// frames as the coordinator allows, so a producer faster than one frame per report is
    /// served in batches.
    var unsent: [ReportFrame] = []
    /// From the coordinator's join answer; 1 until then, and with coordinators that predate batches.
    var maximumReportsPerFrame = 1
    /// A frame stops taking reports past this many bytes: far under the 1 MiB receivers
    /// accept, and already large enough that the per-frame cost no longer matters.
    static let batchByteBudget = 64 << 10

    var joined = false
    var lastJoinSent: ContinuousClock.Instant?
    var heartbeatInterval: Duration = .seconds(2)
    var lastHeartbeatSent: ContinuousClock.Instant?
    /// Set by `beginDrain`: no new reports, no new joins.
    var draining = false
    var lastLeaveSent: ContinuousClock.Instant?
    var leaveAccepted = false

    /// When a frame last came from the coordinator, or the connections were last dialled;
    /// nil until the first tick.
    var lastHeard: ContinuousClock.Instant?
    /// When the join still unanswered was first sent; nil once joined.
    var unansweredJoinSince: ContinuousClock.Instant?

    init(settings: Settings, categories: [String], outbox: Outbox) {
        self.settings = settings
        self.reportingWorker = ReportFrame.Worker(
            workerID: settings.identity.workerID, incarnation: settings.identity.incarnation)
        self.categories = categories
        self.outbox = outbox
    }

    /// Reports sent and not yet acknowledged.
    var unacknowledgedCount: Int { outbox.count }

    /// A new connection to the coordinator: it may have restarted, so join again (which also
    /// brings the current policy) and resend what is pending now. Only a new broadcast
    /// connection forgets the join: a join answer can arrive only through it.
    mutating func connected(broadcast: Bool, at now: ContinuousClock.Instant) -> [Outgoing] {
        if broadcast { joined = false }
        return join(at: now) + resendAllPending(at: now)
    }

    /// The timers: an unanswered join is repeated, a heartbeat is due, reports whose
    /// acknowledgement timed out are sent again.
    mutating func tick(at now: ContinuousClock.Instant, policyVersion: UInt64) -> [Outgoing] {
        var outgoing: [Outgoing] = []
        if !joined, lastJoinSent.map({ now - $0 >= settings.joinRetryInterval }) ?? true {
            outgoing += join(at: now)
        }
        if joined, lastHeartbeatSent.map({ now - $0 >= heartbeatInterval }) ?? true {
            lastHeartbeatSent = now
            var heartbeat = Wire.Heartbeat()
            heartbeat.worker = settings.identity
            heartbeat.policyVersion = policyVersion
            heartbeat.unacknowledged = UInt64(outbox.count)
            heartbeat.resendFloor = outbox.resendFloor
            outgoing.append(.message(.heartbeat(heartbeat)))
        }
        return outgoing + retransmitDue(at: now)
    }

    mutating func join(at now: ContinuousClock.Instant) -> [Outgoing] {
        guard !draining else { return [] }
        lastJoinSent = now
        // Only a join sent while not joined can be stuck. One sent while joined (the reports
        // connection came back) leaves the agent joined, and a silent coordinator is caught
        // by `lastHeard` instead.
        if !joined, unansweredJoinSince == nil { unansweredJoinSince = now }
        var join = Wire.Join()
        join.worker = settings.identity
        join.supportedVersions = WireCodec.supportedVersions
        join.stepShare = settings.stepShare
        join.hostname = settings.hostname
        join.categories = categories
        return [.message(.join(join))]
    }

    /// Every unacknowledged report, now, the ones not sent yet among them.
    mutating func resendAllPending(at now: ContinuousClock.Instant) -> [Outgoing] {
        unsent.removeAll(keepingCapacity: true)
        outbox.expediteAll(at: now)
        return retransmitDue(at: now)
    }

    mutating func retransmitDue(at now: ContinuousClock.Instant) -> [Outgoing] {
        let due = outbox.due(at: now)
        counters.retransmissions += UInt64(due.count)
        return frames(of: due)
    }

    /// The reports queued since the last flush that are still unacknowledged, in frames.
    mutating func flush() -> [Outgoing] {
        guard !unsent.isEmpty else { return [] }
        var batcher = makeBatcher()
        // A loop, not `filter`: its closure copied the whole outbox on every flush (0.8% of all
        // CPU time of in-process ingest, IngestBench with 16 agents).
        for report in unsent where outbox.isPending(report.sequence) { batcher.append(report) }
        unsent.removeAll(keepingCapacity: true)
        return frames(of: batcher)
    }

    /// `reports` in order, in as few frames as the coordinator's per-frame limit and the byte
    /// budget allow.
    mutating func frames(of reports: [ReportFrame]) -> [Outgoing] {
        var batcher = makeBatcher()
        for report in reports { batcher.append(report) }
        return frames(of: batcher)
    }

    private func makeBatcher() -> ReportFrameBatcher {
        ReportFrameBatcher(maximumReportsPerFrame: maximumReportsPerFrame, byteBudget: Self.batchByteBudget)
    }

    private mutating func frames(of batcher: consuming ReportFrameBatcher) -> [Outgoing] {
        let batches = batcher.finish()
        counters.reportFramesSent += UInt64(batches.count)
        return batches.map { .reports($0) }
    }
}
