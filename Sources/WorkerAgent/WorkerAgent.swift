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
    /// `identity` as reports carry it and acknowledgements are matched against it.
    let reportingWorker: ReportFrame.Worker
    let logger: Logger
    let subscriber: Socket
    let publisher: Socket
    let allocator: BatchAllocator

    var random: Xoshiro256StarStar
    var outbox: Outbox
    /// Signs every frame sent, retransmissions too, when the configuration has a key.
    var signer: FrameSigner?
    var policy: PublishedPolicy?
    /// Callers waiting for a policy newer than `after` (nil: any policy).
    var policyWaiters: [Int: (after: UInt64?, continuation: CheckedContinuation<PublishedPolicy, any Error>)] = [:]
    /// Callers waiting for the outbox to hold at most `limit` reports.
    var outboxWaiters: [Int: (limit: Int, continuation: CheckedContinuation<Void, any Error>)] = [:]
    var nextWaiterID = 0

    /// Reports queued since the last flush, not sent yet: a flush sends all of them, as few
    /// frames as the coordinator allows, so a producer faster than one frame per report is
    /// served in batches.
    var unsent: [ReportFrame] = []
    /// Wakes the loop in `run()` that flushes `unsent`; nil when the agent is not running
    /// (then reports wait in the outbox for the connection, which sends everything pending).
    var flushRequests: AsyncStream<Void>.Continuation?
    /// From the coordinator's join answer; 1 until then, and with coordinators that predate batches.
    var maximumReportsPerFrame = 1
    /// A frame stops taking reports past this many bytes: far under the 1 MiB receivers
    /// accept, and already large enough that the per-frame cost no longer matters.
    static let batchByteBudget = 64 << 10

    var joined = false
    var lastJoinSent: ContinuousClock.Instant?
    var heartbeatInterval: Duration = .seconds(2)
    var lastHeartbeatSent: ContinuousClock.Instant?
    var draining = false
    var leaveAccepted = false
    var failure: WorkerAgentError?

    public internal(set) var counters = WorkerAgentCounters()

    /// Everything queued for the coordinator, by category, totalled as the coordinator
    /// totals what it accepts: after a drain the two must agree.
    public internal(set) var queuedTotals: [String: CategoryTotals] = [:]

    let metrics: WorkerAgentMetrics

    /// The categories this worker can draw from, announced when it joins.
    var categories: [String]

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
        self.reportingWorker = ReportFrame.Worker(workerID: configuration.workerID, incarnation: configuration.incarnation)
        self.categories = categories
        var logger = logger
        logger[metadataKey: "worker"] = "\(identity)"
        self.logger = logger
        self.allocator = try BatchAllocator(
            method: configuration.allocationMethod, explorationFloor: configuration.explorationFloor)
        self.random = Xoshiro256StarStar(seed: configuration.seed)
        self.signer = configuration.signingKey.map(FrameSigner.init)
        self.outbox = Outbox(
            capacity: configuration.outboxCapacity,
            overflow: configuration.overflowPolicy,
            initialTimeout: configuration.retransmitTimeout,
            maximumTimeout: configuration.maximumRetransmitTimeout,
            seed: configuration.seed ^ 0x6F75_7462_6F78)
        self.subscriber = try Socket(.subscriber)
        self.publisher = try Socket(.publisher)
        for topic in [Topic.policy, .acks, .control] {
            try subscriber.subscribe(to: topic.bytes)
        }
        try subscriber.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize)
        try subscriber.setReceiveBufferSize(1024)
        try publisher.setSendBufferSize(8192)
    }

    /// Connects and serves the protocol until the agent is drained or the task is cancelled.
    ///
    /// Throws if the coordinator rejects the join or speaks no common protocol version.
    public func run() async throws {
        let broadcastEvents = subscriber.pipeEvents()
        let reportEvents = publisher.pipeEvents()
        try subscriber.dial(configuration.broadcastURL, reconnect: configuration.reconnect, tls: configuration.tls)
        try publisher.dial(configuration.reportsURL, reconnect: configuration.reconnect, tls: configuration.tls)
        logger.info("dialing coordinator", metadata: [
            "broadcast": "\(configuration.broadcastURL)", "reports": "\(configuration.reportsURL)",
        ])
        let (ending, endRun) = AsyncStream.makeStream(of: Void.self)
        self.endRun = endRun
        let (flushes, flushRequests) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.flushRequests = flushRequests
        // The sockets close only once every loop below has returned: closing a socket while
        // one of its receives is being cancelled can crash or hang libnng 1.5.2.
        defer {
            self.endRun = nil
            self.flushRequests = nil
            stop()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // stop() ends the run through here; the other loops are then cancelled.
                for await _ in ending { return }
            }
            group.addTask {
                // One hop onto the actor per batch of queued frames, not per frame.
                for try await batch in self.subscriber.messageBatches(maximum: 64) {
                    await self.receive(batch)
                }
            }
            group.addTask {
                for await _ in flushes {
                    // Lets the work ready now, such as the producer's next reports, run first:
                    // under load the flush then takes several reports at once; idle, it costs
                    // nothing.
                    await Task.yield()
                    await self.flush()
                }
            }
            group.addTask {
                for await event in broadcastEvents where event.kind == .added {
                    await self.connected(broadcast: true)
                }
            }
            group.addTask {
                for await event in reportEvents where event.kind == .added {
                    await self.connected(broadcast: false)
                }
            }
            group.addTask {
                let clock = ContinuousClock()
                while !Task.isCancelled {
                    try await clock.sleep(for: self.configuration.tickInterval)
                    await self.tick(at: clock.now)
                }
            }
            // Each loop ends only when the agent stops (drained or failed), the sockets close,
            // or the task is cancelled.
            _ = try await group.next()
            group.cancelAll()
        }
        if let failure { throw failure }
    }

    /// The newest policy, waiting for the first one if none has arrived yet.
    public func currentPolicy() async throws -> PublishedPolicy {
        try await policy(newerThan: nil)
    }

    /// The first policy adopted with a version above `version`, waiting for it if the
    /// cached one is not newer: for a trainer that must not draw twice from one step's policy.
    public func nextPolicy(after version: UInt64) async throws -> PublishedPolicy {
        try await policy(newerThan: version)
    }

    func policy(newerThan version: UInt64?) async throws -> PublishedPolicy {
        if let policy, version.map({ policy.version > $0 }) ?? true { return policy }
        if let failure { throw failure }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    policyWaiters[id] = (version, continuation)
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Waits until at most `limit` reports are unacknowledged.
    ///
    /// A producer faster than the coordinator calls this before each report to bound
    /// what it has in flight (a credit window), instead of filling the outbox until it
    /// abandons reports or the coordinator's queue drops them.
    public func waitUntilUnacknowledged(atMost limit: Int) async throws {
        if outbox.count <= limit { return }
        if let failure { throw failure }
        guard !isStopped else { throw WorkerAgentError.stopped }
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    outboxWaiters[id] = (limit, continuation)
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

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
        guard !draining else { throw WorkerAgentError.stopped }
        guard !statistics.isEmpty else { throw WorkerAgentError.invalidReport("a report needs at least one category") }
        // Mapped, not appended: each array is allocated once at its final size.
        let candidates = try statistics.map { statistics in
            let candidate = CategoryReport(
                category: statistics.category, count: statistics.count,
                sumAbsAdvantage: statistics.sumAbsAdvantage, sumSquaredAdvantage: statistics.sumSquaredAdvantage,
                sumReward: statistics.sumReward, version: Int(clamping: policyVersion), share: configuration.stepShare,
                groups: statistics.groups, zeroVarianceGroups: statistics.zeroVarianceGroups)
            do {
                try candidate.validate()
            } catch {
                throw WorkerAgentError.invalidReport("\(statistics.category): \(error)")
            }
            return candidate
        }
        var report = ReportFrame(
            worker: reportingWorker, policyVersion: policyVersion, stepShare: configuration.stepShare,
            categories: candidates.map {
                ReportFrame.Category(
                    category: $0.category, count: UInt64($0.count), sumAbsAdvantage: $0.sumAbsAdvantage,
                    sumSquaredAdvantage: $0.sumSquaredAdvantage, sumReward: $0.sumReward,
                    groups: $0.groups.map { UInt64($0) }, zeroVarianceGroups: $0.zeroVarianceGroups.map { UInt64($0) })
            })
        switch outbox.enqueue(&report, at: .now) {
        case .full:
            throw WorkerAgentError.outboxFull(capacity: outbox.capacity)
        case .queuedDropping(_, let dropped):
            counters.reportsAbandoned += 1
            logger.warning("outbox full: abandoned the oldest unacknowledged report", metadata: [
                "abandoned_sequence": "\(dropped)", "capacity": "\(outbox.capacity)",
            ])
        case .queued:
            break
        }
        counters.reportsQueued += 1
        counters.samplesQueued += statistics.reduce(0) { $0 + UInt64($1.count) }
        for candidate in candidates { queuedTotals[candidate.category, default: CategoryTotals()].add(candidate) }
        if let flushRequests {
            unsent.append(report)
            if unsent.count == 1 { flushRequests.yield() }
        }
        return report.sequence
    }

    /// Reports sent and not yet acknowledged.
    public var unacknowledgedCount: Int { outbox.count }

    /// Sends everything pending, waits until the coordinator has acknowledged it
    /// all, says goodbye and closes. Further reports are refused.
    public func drain(timeout: Duration = .seconds(30)) async throws {
        draining = true
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        resendAllPending(at: clock.now)
        // The tick loop keeps retransmitting; acknowledgements empty the outbox.
        while !outbox.isEmpty {
            guard clock.now < deadline else { throw WorkerAgentError.drainTimedOut(unacknowledged: outbox.count) }
            try await clock.sleep(for: configuration.tickInterval)
        }
        var leave = Wire.Leave()
        leave.worker = identity
        leave.lastSequence = outbox.nextSequence - 1
        while !leaveAccepted, clock.now < deadline {
            send(.leave(leave))
            try await clock.sleep(for: configuration.joinRetryInterval)
        }
        if !leaveAccepted {
            logger.warning("drained, but the coordinator did not confirm the leave before the deadline")
        }
        logger.info("drained", metadata: ["reports": "\(counters.reportsAcknowledged)"])
        stop()
    }

    func cancelWaiter(_ id: Int) {
        policyWaiters.removeValue(forKey: id)?.continuation.resume(throwing: CancellationError())
        outboxWaiters.removeValue(forKey: id)?.continuation.resume(throwing: CancellationError())
    }

    func fail(_ error: WorkerAgentError) {
        failure = error
        stop()
    }

    /// Whether `stop()` has run: the sockets are closing and no acknowledgement can arrive any more.
    var isStopped = false
    /// Ends a `run()` in progress.
    var endRun: AsyncStream<Void>.Continuation?

    func stop() {
        draining = true
        isStopped = true
        if let endRun {
            // run() closes the sockets once its loops have returned.
            endRun.yield()
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
        publisher.closeInBackground()
    }
}
