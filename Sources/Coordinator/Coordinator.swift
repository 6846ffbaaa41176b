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
/// It listens on two endpoints: a PUB socket that broadcasts policies,
/// acknowledgements, control answers and status, and a SUB socket that takes
/// joins, reports, heartbeats and leaves from every worker's PUB socket.
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
    let inbox: Socket

    var state: CoordinatorState
    let store: StateStore?
    /// What opening the state directory found; nil without one.
    public nonisolated let recovery: StateRecovery?
    let policyName: String
    var awaitingAcknowledgement: Set<WorkerKey> = []
    /// Checks signatures when the configuration has a keyring.
    var authenticator: FrameAuthenticator?

    var reportsSincePublish = 0
    var changedSincePublish = false
    /// The version advanced during the batch being ingested and is not published yet.
    var versionUnpublished = false
    var lastPublish: ContinuousClock.Instant?
    var lastAcknowledgement: ContinuousClock.Instant = .now
    var lastStatus: ContinuousClock.Instant?
    var lastLeaseCheck: ContinuousClock.Instant = .now
    let started = ContinuousClock.now
    var lastLogged: [String: ContinuousClock.Instant] = [:]
    var suppressedLogs: [String: UInt64] = [:]

    public internal(set) var counters = CoordinatorCounters()
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
        let fresh = {
            var state = CoordinatorState(
                curriculum: try Curriculum(policy: configuration.policy, staleness: configuration.staleness),
                lease: configuration.lease, sequenceWindow: configuration.sequenceWindow)
            for category in configuration.categories { state.register(category) }
            return state
        }
        if let directory = configuration.stateDirectory {
            let now = ContinuousClock.now
            let (store, state, recovery) = try StateStore.open(
                directory: directory, compactionBytes: configuration.compactionBytes, fresh: fresh,
                restore: {
                    CoordinatorState(
                        restoring: $0, lease: configuration.lease, sequenceWindow: configuration.sequenceWindow, at: now)
                },
                at: now)
            self.store = store
            self.state = state
            self.recovery = recovery
            logger.info(recovery.resumed ? "resumed coordinator state" : "saving coordinator state", metadata: [
                "state": "\(directory)", "policy_version": "\(state.curriculum.version)",
                "changes_replayed": "\(recovery.changesReplayed)", "torn_bytes_dropped": "\(recovery.tornBytes)",
                "workers": "\(state.membership.members.count)",
            ])
        } else {
            self.store = nil
            self.state = try fresh()
            self.recovery = nil
        }
        self.authenticator = configuration.authentication.map { [counters = state.signatureCounters] in
            FrameAuthenticator($0, resuming: counters)
        }
        self.policyName = state.curriculum.policy.snapshot.name
        if policyName != configuration.policy.name {
            logger.warning("the saved state's policy wins over the configured one", metadata: [
                "saved": "\(policyName)", "configured": "\(configuration.policy.name)",
            ])
        }
        self.broadcaster = try Socket(.publisher)
        self.inbox = try Socket(.subscriber)
        try inbox.subscribe(to: [])
        // nng's own limit sits above ours so that an oversized frame reaches the decoder
        // and is counted; only frames beyond it are cut off by nng (which drops the
        // sender's connection) before a byte of them is buffered.
        try inbox.setMaxReceiveSize(configuration.maximumFrameSize * Self.transportLimitFactor)
        try inbox.setReceiveBufferSize(8192)
        try broadcaster.setSendBufferSize(8192)
    }

    deinit {
        executor.stop()
    }

    /// Replaces the keys workers may sign with, for key rotation without a restart.
    /// Returns false, changing nothing, when the coordinator does not check signatures.
    /// (`configuration.authentication` keeps the keys it started with.)
    @discardableResult
    public func replaceKeyring(_ keyring: Keyring) -> Bool {
        guard authenticator != nil else { return false }
        authenticator?.replaceKeyring(keyring)
        return true
    }

    /// The policy version workers should draw under now.
    public var version: UInt64 { UInt64(state.curriculum.version) }

    /// The endpoints as bound, once `listen()` has run. A `tcp://` URL asked for
    /// port 0 comes back with the port the system chose.
    public private(set) var endpoints: Endpoints?

    public struct Endpoints: Sendable, Hashable {
        public var broadcastURL: String
        public var reportsURL: String
    }

    /// Binds both endpoints. `run()` does this itself; call it first to learn
    /// the bound addresses before serving.
    @discardableResult
    public func listen() throws -> Endpoints {
        if let endpoints { return endpoints }
        let broadcastListener = try broadcaster.listen(configuration.broadcastURL, tls: configuration.tls)
        let reportListener = try inbox.listen(configuration.reportsURL, tls: configuration.tls)
        let bound = Endpoints(
            broadcastURL: Self.boundURL(broadcastListener), reportsURL: Self.boundURL(reportListener))
        endpoints = bound
        logger.info("coordinator listening", metadata: [
            "broadcast": "\(bound.broadcastURL)", "reports": "\(bound.reportsURL)",
            "policy": "\(configuration.policy.name)",
        ])
        return bound
    }

    /// Serves until the task is cancelled, then closes both sockets.
    public func run() async throws {
        try listen()
        defer {
            inbox.closeInBackground()
            broadcaster.closeInBackground()
            saveSnapshot()
        }
        publishPolicy(at: .now)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // One hop onto the actor per batch of frames rather than per frame: under
                // load, every frame that queued while the last batch was ingested goes at once.
                for try await batch in self.inbox.messageBatches(maximum: Self.maximumBatch) {
                    await self.ingest(batch, at: .now)
                }
            }
            group.addTask {
                let clock = ContinuousClock()
                let period = min(self.configuration.acknowledgementInterval, self.configuration.publishInterval)
                while true {
                    try await clock.sleep(for: period)
                    await self.tick(at: clock.now)
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    static func boundURL(_ listener: Listener) -> String {
        guard listener.url.hasPrefix("tcp://") || listener.url.hasPrefix("tls+tcp://"),
            listener.url.hasSuffix(":0"), let port = try? listener.boundPort()
        else { return listener.url }
        return String(listener.url.dropLast()) + String(port)
    }

    // MARK: - Ingest

    /// nng's receive limit, in multiples of `maximumFrameSize`.
    static let transportLimitFactor = 4

    /// Frames taken from the inbox per actor turn. Bounds how long one turn keeps the
    /// cadence (acknowledgements, publication) waiting.
    static let maximumBatch = 512

    /// Handles a batch of frames, then publishes the policy once if any of them advanced it.
    ///
    /// A version still advances every `publishEveryReports` merged reports, but when one
    /// batch advances it several times only the newest is broadcast: every worker would
    /// decode every intermediate policy only to replace it microseconds later. Workers
    /// keep the highest version they see, so a skipped version is no different from a
    /// lost message to them.
    func ingest(_ batch: [Message], at now: ContinuousClock.Instant) {
        metrics.recordIngestBatch(frames: batch.count)
        for message in batch {
            message.withUnsafeBytes { ingest($0, at: now) }
        }
        commit()
        if versionUnpublished { broadcastPolicy(at: now) }
        exportCounters()
    }

    /// Handles one frame from a worker. Never throws: whatever is wrong with the
    /// frame is logged, counted, and answered when the sender can be named.
    func ingest(_ frame: UnsafeRawBufferPointer, at now: ContinuousClock.Instant) {
        tally(.frameReceived)
        let body: Wire.Envelope.OneOf_Body
        do {
            // Reports, nearly all the traffic, are read without SwiftProtobuf; anything the
            // fast decoder does not handle takes the general one, which accepts and refuses
            // the same frames, signed or not.
            if authenticator == nil {
                if let reports = try ReportFrameDecoder.decode(frame, maximumFrameSize: configuration.maximumFrameSize) {
                    return ingest(reports, at: now)
                }
            } else if let signed = try ReportFrameDecoder.decodeSigned(
                frame, maximumFrameSize: configuration.maximumFrameSize)
            {
                let sender = signed.reports.first?.worker
                if let failure = authenticator?.check(
                    frame, authentication: signed.authentication, sender: sender.map(WorkerKey.init),
                    nowMs: WallClock.milliseconds())
                {
                    return reject(.authentication(failure, claimedWorker: sender.map { WorkerKey($0).identity }))
                }
                tally(.frameAuthenticated)
                return ingest(signed.reports, at: now)
            }
            let envelope = try WireCodec.decodeEnvelope(frame, maximumFrameSize: configuration.maximumFrameSize)
            if let failure = authenticator?.check(frame, envelope: envelope, nowMs: WallClock.milliseconds()) {
                return reject(.authentication(failure, claimedWorker: envelope.sender))
            }
            if authenticator != nil { tally(.frameAuthenticated) }
            // decodeEnvelope returns only envelopes with a body.
            body = envelope.body!
        } catch {
            reject(.wire(error))
            if case .unsupportedProtocolVersion(let received, let sender?) = error, authenticator?.isSigned(frame) ?? true {
                var mismatch = Wire.ProtocolMismatch()
                mismatch.worker = sender
                mismatch.receivedVersion = received
                mismatch.supportedVersions = WireCodec.supportedVersions
                var control = Wire.Control()
                control.kind = .protocolMismatch(mismatch)
                broadcast(.control(control))
            }
            return
        }
        switch body {
        case .report(let report):
            ingest([ReportFrame(report)], at: now)
        case .reportBatch(let batch):
            ingest(batch.reports.map(ReportFrame.init), at: now)
        case .join(let join):
            handle(join, at: now)
        case .heartbeat(let heartbeat):
            guard let key = workerKey(heartbeat.hasWorker ? heartbeat.worker : nil, .heartbeat) else { return }
            membershipHeard(from: key, at: now)
            if state.settle(key, below: heartbeat.resendFloor) {
                record(.settled(key, floor: heartbeat.resendFloor))
            }
        case .leave(let leave):
            handle(leave, at: now)
        case .policy, .acks, .control, .status:
            reject(.unexpectedTopic(Topic(for: body)))
        }
    }

    /// The reports of one REPT frame, in order.
    func ingest(_ reports: [ReportFrame], at now: ContinuousClock.Instant) {
        tally(.reportFrameReceived)
        for report in reports { ingest(report, at: now) }
    }

    func ingest(_ report: ReportFrame, at now: ContinuousClock.Instant) {
        guard let key = workerKey(report.worker.map(WorkerKey.init), .report) else { return }
        guard report.sequence > 0 else { return reject(.sequenceZero(worker: key)) }
        membershipHeard(from: key, at: now, stepShare: report.stepShare)

        let watermark = state.ledgers[key]?.contiguousThrough
        let admission = state.admit(key, sequence: report.sequence, settlingBelow: report.resendFloor)
        switch admission {
        case .duplicate, .outOfWindow:
            // The resend floor may have closed gaps even though the report itself is not new.
            if state.ledgers[key]?.contiguousThrough != watermark {
                record(.settled(key, floor: report.resendFloor))
            }
            if admission == .outOfWindow {
                return reject(state.retired.contains(key)
                    ? .retiredIncarnation(worker: key, sequence: report.sequence)
                    : .outOfWindow(worker: key, sequence: report.sequence))
            }
            tally(.duplicateIgnored)
            // Resends after a lost acknowledgement are routine; a replay looks the same.
            logRateLimited("duplicate", "duplicate report ignored",
                           IngestRejection.duplicate(worker: key, sequence: report.sequence), level: .debug)
            awaitingAcknowledgement.insert(key)
            return
        case .new:
            awaitingAcknowledgement.insert(key)
        }

        let merged = MergedReport(report, from: key)
        if let rejection = state.merge(merged, acceptingNewCategories: configuration.acceptsNewCategories, at: now) {
            tally(.reportRejected)
            state.recordRejection(of: key)
            record(.rejected(key, sequence: report.sequence, resendFloor: report.resendFloor))
            reject(rejection)
        } else {
            record(.merged(merged))
            tally(.reportAccepted)
            metrics.recordStaleness(max(0, state.curriculum.version - merged.policyVersion))
            reportsSincePublish += 1
            changedSincePublish = true
            if reportsSincePublish >= configuration.publishEveryReports {
                advanceVersion()
                versionUnpublished = true
            }
        }
    }
}
