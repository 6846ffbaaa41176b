import Curriculum
import CoreMetrics
import CurriculumAuth
import CurriculumMetrics
import CurriculumWire
import Foundation
import Logging
import NNG

/// The head node's curriculum service.
///
/// It listens on four endpoints (protocol 2, `Protocols/README.md`): a PUB socket that
/// broadcasts policies; a raw REP socket that takes each worker's joins, reports, heartbeats
/// and leaves as requests and answers each with that worker's acknowledgement or control
/// answer alone; a PUB socket for status; and a SUB socket where version-1 workers still
/// send, answered that they speak another version.
/// Reports are merged the moment they arrive, weighted by staleness; a ledger
/// per worker incarnation makes each count exactly once however often it is
/// resent. With a state directory, every change is journaled and made durable before
/// anything that reflects it (an acknowledgement, a policy) leaves the coordinator, so a
/// crash loses no acknowledged report. `run()` serves until its task is cancelled.
public actor Coordinator {
    public nonisolated let configuration: CoordinatorConfiguration
    /// The actor runs on a thread of its own: it blocks in `fdatasync` with durable state
    /// (see `DedicatedThreadExecutor`).
    nonisolated let executor = DedicatedThreadExecutor(name: "coordinator")

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }
    let logger: Logger
    let broadcaster: Socket
    let requests: Socket
    let statusPublisher: Socket
    /// Version-1 workers' reports endpoint.
    let inbox: Socket

    /// The protocol: every decision about frames and time (see `CoordinatorEngine`).
    var engine: CoordinatorEngine
    let store: StateStore?
    /// What opening the state directory found; nil without one.
    public nonisolated let recovery: StateRecovery?
    var lastLogged: [String: ContinuousClock.Instant] = [:]
    var suppressedLogs: [String: UInt64] = [:]

    /// What the coordinator has counted since it started.
    public var counters: CoordinatorCounters { engine.counters }
    /// The same counts as `counters`, and gauges and histograms, for `/metrics`.
    var metrics: CoordinatorMetrics
    /// Each category's totals when the gauges were last set, for the step's mean |A|.
    var totalsAtLastGaugeUpdate: [String: CategoryTotals] = [:]
    /// When the gauges were last set, and the version they show.
    var lastGaugeUpdate: (at: ContinuousClock.Instant, version: UInt64)?

    /// `metricsFactory` receives every metric the coordinator keeps (a Prometheus
    /// registry's factory, say); by default swift-metrics' global one.
    public init(
        configuration: CoordinatorConfiguration, logger: Logger = Logger(label: "curriculum.coordinator"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.metrics = CoordinatorMetrics(factory: metricsFactory)
        let fresh = { try CoordinatorEngine.freshState(for: configuration) }
        let started = ContinuousClock.now
        let state: CoordinatorState
        if let directory = configuration.stateDirectory {
            let (store, recovered, recovery) = try StateStore.open(
                directory: directory, compactionBytes: configuration.compactionBytes, fresh: fresh,
                restore: {
                    CoordinatorState(
                        restoring: $0, lease: configuration.lease, sequenceWindow: configuration.sequenceWindow,
                        at: started)
                },
                at: started)
            self.store = store
            self.recovery = recovery
            state = recovered
            logger.info(recovery.resumed ? "resumed coordinator state" : "saving coordinator state", metadata: [
                "state": "\(directory)", "policy_version": "\(state.curriculum.version)",
                "changes_replayed": "\(recovery.changesReplayed)", "torn_bytes_dropped": "\(recovery.tornBytes)",
                "workers": "\(state.membership.members.count)",
            ])
        } else {
            self.store = nil
            self.recovery = nil
            state = try fresh()
        }
        let engine = CoordinatorEngine(configuration: configuration, state: state, startedAt: started)
        self.engine = engine
        if engine.policyName != configuration.policy.name {
            logger.warning("the saved state's policy wins over the configured one", metadata: [
                "saved": "\(engine.policyName)", "configured": "\(configuration.policy.name)",
            ])
        }
        self.broadcaster = try Socket(.publisher)
        self.requests = try Socket(.replier, raw: true)
        self.statusPublisher = try Socket(.publisher)
        self.inbox = try Socket(.subscriber)
        try inbox.subscribe(to: [])
        for socket in [requests, inbox] {
            // nng's own limit sits above ours so that an oversized frame reaches the decoder
            // and is counted; only frames beyond it are cut off by nng (which drops the
            // sender's connection) before a byte of them is buffered.
            try socket.setMaxReceiveSize(configuration.maximumFrameSize * Self.transportLimitFactor)
            try socket.setReceiveBufferSize(8192)
        }
        // Replies wait here for nng to hand them to each worker's connection, whose own
        // queue holds 64 (libnng 1.5.2) and drops the rest: a lost reply is a resend.
        try requests.setSendBufferSize(8192)
        // A lagging subscriber loses the oldest frame when its queue is full. Each policy
        // supersedes the one before, so a short queue means it gets fresh policies late
        // rather than a backlog of stale ones (8,192 frames queued up to ~100 s at 2,000
        // workers under protocol 1).
        try broadcaster.setSendBufferSize(Self.broadcastQueueDepth)
        try statusPublisher.setSendBufferSize(Self.broadcastQueueDepth)
    }

    deinit {
        executor.stop()
    }

    /// Replaces the keys workers may sign with, for key rotation without a restart.
    /// Returns false, changing nothing, when the coordinator does not check signatures.
    /// (`configuration.authentication` keeps the keys it started with.)
    @discardableResult
    public func replaceKeyring(_ keyring: Keyring) -> Bool {
        engine.replaceKeyring(keyring)
    }

    /// The policy version workers should draw under now.
    public var version: UInt64 { engine.version }

    /// The endpoints as bound, once `listen()` has run. A `tcp://` URL asked for
    /// port 0 comes back with the port the system chose.
    public private(set) var endpoints: Endpoints?

    public struct Endpoints: Sendable, Hashable {
        public var broadcastURL: String
        public var requestsURL: String
        public var statusURL: String
        /// Version-1 workers' reports endpoint.
        public var reportsURL: String
    }

    /// Binds every endpoint. `run()` does this itself; call it first to learn
    /// the bound addresses before serving.
    @discardableResult
    public func listen() throws -> Endpoints {
        if let endpoints { return endpoints }
        // The certificate serves the tls+tcp:// endpoints; others (a plain status endpoint for
        // monitors on the head node, say) listen without it.
        let tls = { (url: String) in url.hasPrefix("tls+tcp://") ? self.configuration.tls : nil }
        let bound = Endpoints(
            broadcastURL: try broadcaster.listen(configuration.broadcastURL, tls: tls(configuration.broadcastURL)).boundURL,
            requestsURL: try requests.listen(configuration.requestsURL, tls: tls(configuration.requestsURL)).boundURL,
            statusURL: try statusPublisher.listen(configuration.statusURL, tls: tls(configuration.statusURL)).boundURL,
            reportsURL: try inbox.listen(configuration.reportsURL, tls: tls(configuration.reportsURL)).boundURL)
        endpoints = bound
        logger.info("coordinator listening", metadata: [
            "broadcast": "\(bound.broadcastURL)", "requests": "\(bound.requestsURL)",
            "status": "\(bound.statusURL)", "version_1_reports": "\(bound.reportsURL)",
            "policy": "\(configuration.policy.name)",
        ])
        return bound
    }

    /// Serves until the task is cancelled or, in a `ServiceGroup`, shut down gracefully; then
    /// closes its sockets and saves a snapshot.
    public func run() async throws {
        try listen()
        defer {
            for socket in [requests, inbox, broadcaster, statusPublisher] { socket.closeInBackground() }
            saveSnapshot()
        }
        perform(engine.start(at: .now))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // One hop onto the actor per batch of frames rather than per frame: under
                // load, every frame that queued while the last batch was ingested goes at once.
                for try await batch in self.requests.messageBatches(maximum: Self.maximumBatch) {
                    await self.ingest(batch, replying: true, at: .now)
                }
            }
            group.addTask {
                for try await batch in self.inbox.messageBatches(maximum: Self.maximumBatch) {
                    await self.ingest(batch, replying: false, at: .now)
                }
            }
            group.addTask {
                let clock = ContinuousClock()
                let period = min(self.configuration.acknowledgementInterval, self.configuration.publishInterval)
                while true {
                    try await clock.sleep(for: period)
                    await self.tick(at: .now)
                }
            }
            group.addTask { await Self.untilGracefulShutdown() }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    // MARK: - Ingest

    /// nng's receive limit, in multiples of `maximumFrameSize`.
    static let transportLimitFactor = 4

    /// Frames taken from the inbox per actor turn. Bounds how long one turn keeps the
    /// cadence (acknowledgements, publication) waiting.
    static let maximumBatch = 512

    /// Frames a broadcast subscriber may have waiting before the oldest is dropped.
    static let broadcastQueueDepth = 16

    /// Hands a batch of frames to the engine, then journals, commits and sends what it
    /// answers; the engine publishes the policy once if any of them advanced it. Requests
    /// (`replying`) are answered along the backtrace their header holds.
    func ingest(_ batch: [Message], replying: Bool, at now: CoordinatorEngine.Moment) {
        metrics.recordIngestBatch(frames: batch.count)
        for message in batch {
            let route = replying ? CoordinatorEngine.ReplyRoute.request(message.header) : .broadcast
            message.withUnsafeBytes { engine.receive($0, from: route, at: now) }
        }
        perform(engine.finishBatch(at: now))
        exportCounters()
    }

    func tick(at now: CoordinatorEngine.Moment) {
        perform(engine.tick(at: now))
        if let last = lastGaugeUpdate, last.version != version {
            updateGaugesIfDue(for: engine.currentPolicy(at: now), at: now.instant)
        }
        exportCounters()
    }
}

extension CoordinatorEngine.Moment {
    /// The clocks read now: the engine reads none itself.
    static var now: Self { Self(instant: .now, wallClockMs: WallClock.milliseconds()) }
}
