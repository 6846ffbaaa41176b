import CoreMetrics
import Curriculum
import CurriculumAuth
import CurriculumMetrics
import CurriculumWire
import Logging
import NNG

/// The curriculum's end inside a rollout worker.
///
/// It dials the coordinator's two endpoints, joins, caches the newest policy and
/// serves `nextBatch` from that cache, so drawing a batch never waits on the
/// network. Reports are numbered and kept in an outbox until the coordinator
/// acknowledges them; unacknowledged ones are sent again with backoff. Reports ready at
/// the same time travel in one frame, up to the limit the coordinator's join answer gives. While
/// the coordinator is away the agent keeps drawing from the last policy it had
/// and buffers reports up to the outbox's capacity.
///
/// ```swift
/// let agent = try WorkerAgent(configuration: configuration)
/// async let running: Void = agent.run()
/// let batch = try await agent.nextBatch(size: 32)
/// // ... roll out batch.assignments, compute advantages ...
/// try await agent.report(policyVersion: batch.policyVersion, statistics: statistics)
/// try await agent.drain()
/// ```
public actor WorkerAgent {
    public nonisolated let configuration: WorkerAgentConfiguration
    public nonisolated let identity: Wire.WorkerIdentity
    let logger: Logger
    let subscriber: Socket
    /// Raw, so that many requests can be in flight and no reply is matched or resent by nng:
    /// the session's outbox decides what to resend.
    let requester: Socket
    /// SP wants an ID per request; the coordinator echoes it.
    var requestIDs = RequestIDs()
    let allocator: BatchAllocator

    var random: Xoshiro256StarStar
    /// The protocol's state and decisions; this actor only carries out what it returns.
    var session: WorkerSession
    /// The dialers of both endpoints, closed and replaced when a redial is due.
    var dialers: [Dialer] = []
    /// Signs every frame sent, retransmissions too, when the configuration has a key.
    var signer: FrameSigner?
    var policy: PublishedPolicy?
    /// Callers waiting for a policy newer than `after` (nil: any policy).
    var policyWaiters: [Int: (after: UInt64?, continuation: CheckedContinuation<PublishedPolicy, any Error>)] = [:]
    /// Callers waiting for the outbox to hold at most `limit` reports.
    var outboxWaiters: [Int: (limit: Int, continuation: CheckedContinuation<Void, any Error>)] = [:]
    var nextWaiterID = 0

    /// Wakes the loop in `run()` that flushes the reports queued since the last flush, and
    /// ends `run()` when finished; nil when the agent is not running (then reports wait in the
    /// outbox for the connection, which sends everything pending).
    var flushRequests: AsyncStream<Void>.Continuation?
    var failure: WorkerAgentError?
    /// Whether `stop()` has run: the sockets are closing and no acknowledgement can arrive any more.
    var isStopped = false

    public var counters: WorkerAgentCounters { session.counters }

    /// Everything queued for the coordinator, by category, totalled as the coordinator
    /// totals what it accepts: after a drain the two must agree.
    public var queuedTotals: [String: CategoryTotals] { session.queuedTotals }

    let metrics: WorkerAgentMetrics

    /// `metricsFactory` receives the agent's metrics (the time from each report to its
    /// acknowledgement); by default swift-metrics' global factory.
    public init(
        configuration: WorkerAgentConfiguration,
        categories: [String] = [],
        logger: Logger = Logger(label: "curriculum.worker"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws {
        self.metrics = WorkerAgentMetrics(workerID: configuration.workerID, factory: metricsFactory)
        guard configuration.stepShare > 0, configuration.stepShare <= 1 else {
            throw WorkerAgentError.invalidReport("step share \(configuration.stepShare) is not in (0, 1]")
        }
        self.configuration = configuration
        self.identity = Wire.WorkerIdentity(workerID: configuration.workerID, incarnation: configuration.incarnation)
        var logger = logger
        logger[metadataKey: "worker"] = "\(identity)"
        self.logger = logger
        self.allocator = try BatchAllocator(
            method: configuration.allocationMethod, explorationFloor: configuration.explorationFloor)
        self.random = Xoshiro256StarStar(seed: configuration.seed)
        self.signer = configuration.signingKey.map(FrameSigner.init)
        self.session = WorkerSession(
            settings: .init(
                identity: identity, hostname: configuration.hostname, stepShare: configuration.stepShare,
                joinRetryInterval: configuration.joinRetryInterval,
                redialAfter: configuration.redialAfter),
            categories: categories,
            outbox: Outbox(
                capacity: configuration.outboxCapacity,
                overflow: configuration.overflowPolicy,
                initialTimeout: configuration.retransmitTimeout,
                maximumTimeout: configuration.maximumRetransmitTimeout,
                seed: configuration.seed ^ 0x6F75_7462_6F78))
        self.subscriber = try Socket(.subscriber)
        self.requester = try Socket(.requester, raw: true)
        // Policies only: every answer for this worker comes as a reply on the requester, and
        // the broadcast's other frames (version-1 answers to version-1 workers) are not for it.
        try subscriber.subscribe(to: Topic.policy.bytes)
        for socket in [subscriber, requester] {
            try socket.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize)
        }
        // A SUB socket whose queue is full drops its oldest frame, and each policy supersedes
        // the ones before it: a short queue keeps a lagging agent from reading a backlog of
        // stale policies (1,024 held 33 s of them at 4,000 workers in FleetBench). Replies are
        // each this worker's own, so they queue deep.
        try subscriber.setReceiveBufferSize(Self.policyQueueDepth)
        try requester.setReceiveBufferSize(1024)
        try requester.setSendBufferSize(8192)
    }

    /// Policies the broadcast socket holds for the agent, as deep as the coordinator's queue.
    static let policyQueueDepth = 16

    /// Draws the categories of a batch of `size` samples from the newest policy.
    ///
    /// - Parameter exhausted: categories this worker has no problems left in; their
    ///   probability is spread over the others.
    public func nextBatch(size: Int, excluding exhausted: Set<String> = []) async throws -> CurriculumBatch {
        var policy = try await currentPolicy()
        // A coordinator that started without categories publishes an empty policy until
        // some worker's join names them: wait for one that has something to draw.
        while policy.distribution.categories.isEmpty {
            policy = try await nextPolicy(after: policy.version)
        }
        let distribution = policy.distribution
        let available = exhausted.isEmpty ? nil : distribution.categories.map { !exhausted.contains($0) }
        let counts = try allocator.allocate(
            batchSize: size, distribution: distribution, available: available, using: &random)
        return CurriculumBatch(policyVersion: policy.version, categories: distribution.categories, counts: counts)
    }

    /// Reports a batch drawn with ``nextBatch(size:excluding:)``: its statistics, plus an
    /// empty entry (n = 0) for every category of its policy that got no sample.
    ///
    /// The empty entries carry this worker's share of the step for arms it did not
    /// draw, so that the coordinator's share-aware merge moves each arm by exactly
    /// one SEC step however many workers split the batch (see `SECPolicy`).
    @discardableResult
    public func report(batch: CurriculumBatch, statistics: [AdvantageStatistics]) async throws -> UInt64 {
        let reported = Set(statistics.map(\.category))
        let empty = batch.categories.filter { !reported.contains($0) }.map {
            AdvantageStatistics(category: $0, count: 0, sumAbsAdvantage: 0, sumSquaredAdvantage: 0, sumReward: 0)
        }
        return try await report(policyVersion: batch.policyVersion, statistics: statistics + empty)
    }

    /// Queues one batch's statistics and sends them. Returns the report's sequence number.
    ///
    /// Throws `WorkerAgentError.invalidReport` for statistics the coordinator would
    /// reject (NaN, negative counts, an empty category name), and `.outboxFull` when
    /// the outbox is full and its policy is `.rejectNew`.
    @discardableResult
    public func report(policyVersion: UInt64, statistics: [AdvantageStatistics]) async throws -> UInt64 {
        if let failure { throw failure }
        let queued = try session.queue(
            policyVersion: policyVersion, statistics: statistics, batched: flushRequests != nil, at: .now)
        if let abandoned = queued.abandoned {
            logger.warning("outbox full: abandoned the oldest unacknowledged report", metadata: [
                "abandoned_sequence": "\(abandoned)", "capacity": "\(session.outbox.capacity)",
            ])
        }
        if queued.startsBatch { flushRequests?.yield() }
        return queued.sequence
    }

    /// Reports sent and not yet acknowledged.
    public var unacknowledgedCount: Int { session.unacknowledgedCount }

    /// Sends everything pending, waits until the coordinator has acknowledged it
    /// all, says goodbye and closes. Further reports are refused.
    public func drain(timeout: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        send(session.beginDrain(at: clock.now))
        // The tick loop keeps retransmitting; acknowledgements empty the outbox.
        while session.drainProgress != .finished {
            send(session.leave(at: clock.now))
            guard clock.now < deadline else { break }
            try await clock.sleep(for: configuration.tickInterval)
        }
        switch session.drainProgress {
        case .awaitingAcknowledgements(let count):
            throw WorkerAgentError.drainTimedOut(unacknowledged: count)
        case .leaving:
            logger.warning("drained, but the coordinator did not confirm the leave before the deadline")
        case .finished:
            break
        }
        logger.info("drained", metadata: ["reports": "\(session.counters.reportsAcknowledged)"])
        stop()
    }

    func fail(_ error: WorkerAgentError) {
        failure = error
        stop()
    }

    /// Refuses further reports, ends a `run()` in progress and fails every waiter.
    func stop() {
        session.draining = true
        isStopped = true
        if let flushRequests {
            // Ends the flush loop, and with it run(), which closes the sockets once its loops
            // have returned.
            flushRequests.finish()
        } else {
            closeSockets()
        }
        let error = failure ?? WorkerAgentError.stopped
        let policyWaiters = self.policyWaiters
        let outboxWaiters = self.outboxWaiters
        self.policyWaiters.removeAll()
        self.outboxWaiters.removeAll()
        for waiter in policyWaiters.values { waiter.continuation.resume(throwing: error) }
        for waiter in outboxWaiters.values { waiter.continuation.resume(throwing: error) }
    }

    func closeSockets() {
        subscriber.closeInBackground()
        requester.closeInBackground()
    }
}
