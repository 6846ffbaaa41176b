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
    private let logger: Logger
    private let broadcaster: Socket
    private let inbox: Socket

    var state: CoordinatorState
    private let store: StateStore?
    /// What opening the state directory found; nil without one.
    public nonisolated let recovery: StateRecovery?
    private let policyName: String
    private var awaitingAcknowledgement: Set<WorkerKey> = []
    /// Checks signatures when the configuration has a keyring.
    private var authenticator: FrameAuthenticator?

    private var reportsSincePublish = 0
    private var changedSincePublish = false
    /// The version advanced during the batch being ingested and is not published yet.
    private var versionUnpublished = false
    private var lastPublish: ContinuousClock.Instant?
    private var lastAcknowledgement: ContinuousClock.Instant = .now
    private var lastStatus: ContinuousClock.Instant?
    private var lastLeaseCheck: ContinuousClock.Instant = .now
    private let started = ContinuousClock.now
    private var lastLogged: [String: ContinuousClock.Instant] = [:]
    private var suppressedLogs: [String: UInt64] = [:]

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
        self.authenticator = configuration.authentication.map(FrameAuthenticator.init)
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

    private static func boundURL(_ listener: Listener) -> String {
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
    private func ingest(_ frame: UnsafeRawBufferPointer, at now: ContinuousClock.Instant) {
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
    private func ingest(_ reports: [ReportFrame], at now: ContinuousClock.Instant) {
        tally(.reportFrameReceived)
        for report in reports { ingest(report, at: now) }
    }

    private func ingest(_ report: ReportFrame, at now: ContinuousClock.Instant) {
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
                return reject(.outOfWindow(worker: key, sequence: report.sequence))
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

    private func handle(_ join: Wire.Join, at now: ContinuousClock.Instant) {
        guard let key = workerKey(join.hasWorker ? join.worker : nil, .join) else { return }
        var control = Wire.Control()
        if !join.supportedVersions.contains(where: WireCodec.supportedVersions.contains) {
            var mismatch = Wire.ProtocolMismatch()
            mismatch.worker = key.identity
            mismatch.receivedVersion = join.supportedVersions.max() ?? 0
            mismatch.supportedVersions = WireCodec.supportedVersions
            control.kind = .protocolMismatch(mismatch)
            reject(.wire(.unsupportedProtocolVersion(received: mismatch.receivedVersion, sender: key.identity)))
        } else if !(join.stepShare > 0 && join.stepShare <= 1) {
            var rejected = Wire.JoinRejected()
            rejected.worker = key.identity
            rejected.reason = "step_share must be in (0, 1], got \(join.stepShare)"
            control.kind = .joinRejected(rejected)
            logger.warning("join rejected", metadata: ["worker": "\(key)", "reason": "\(rejected.reason)"])
        } else {
            let change = state.membership.heard(
                from: key, at: now, joining: true, hostname: join.hostname, stepShare: join.stepShare)
            record(.joined(key, hostname: join.hostname, stepShare: join.stepShare))
            note(change, for: key)
            // Names a report could not carry (empty, or too long) are not registered.
            for category in join.categories
            where !category.isEmpty && category.utf8.count <= CategoryReport.maximumCategoryBytes
                && state.register(category)
            {
                record(.registered(category: category))
                changedSincePublish = true
            }
            var accepted = Wire.JoinAccepted()
            accepted.worker = key.identity
            accepted.leaseMs = UInt32(clamping: configuration.lease.milliseconds)
            accepted.heartbeatIntervalMs = UInt32(clamping: configuration.heartbeatInterval.milliseconds)
            if changedSincePublish { advanceVersion() }
            accepted.policy = currentPolicy()
            accepted.contiguousThrough = state.ledgers[key]?.contiguousThrough ?? 0
            accepted.maxReportsPerFrame = UInt32(clamping: max(1, configuration.maximumReportsPerFrame))
            control.kind = .joinAccepted(accepted)
        }
        broadcast(.control(control))
    }

    private func handle(_ leave: Wire.Leave, at now: ContinuousClock.Instant) {
        guard let key = workerKey(leave.hasWorker ? leave.worker : nil, .leave) else { return }
        if state.membership.members[key]?.state != .left {
            tally(.leave)
            logger.info("worker left", metadata: ["worker": "\(key)", "last_sequence": "\(leave.lastSequence)"])
        }
        state.membership.left(key, at: now)
        record(.left(key))
        var accepted = Wire.LeaveAccepted()
        accepted.worker = key.identity
        var control = Wire.Control()
        control.kind = .leaveAccepted(accepted)
        broadcast(.control(control))
    }

    private func workerKey(_ identity: Wire.WorkerIdentity?, _ topic: Topic) -> WorkerKey? {
        workerKey(identity.map(WorkerKey.init), topic)
    }

    private func workerKey(_ key: WorkerKey?, _ topic: Topic) -> WorkerKey? {
        guard let key, !key.workerID.isEmpty else {
            reject(.missingWorkerIdentity(topic))
            return nil
        }
        return key
    }

    private func membershipHeard(from key: WorkerKey, at now: ContinuousClock.Instant, stepShare: Double? = nil) {
        note(state.membership.heard(from: key, at: now, stepShare: stepShare), for: key)
    }

    private func note(_ change: Membership.Change, for key: WorkerKey) {
        switch change {
        case .none: return
        case .joined:
            tally(.join)
            logger.info("worker joined", metadata: ["worker": "\(key)", "active": "\(state.membership.activeCount)"])
        case .revived:
            logger.info("lost worker is back", metadata: ["worker": "\(key)"])
        case .replaced(let old):
            tally(.join)
            logger.info("worker restarted", metadata: ["worker": "\(key)", "replaces": "\(old)"])
        }
    }

    private func reject(_ rejection: IngestRejection) {
        counters.rejectionsByReason[rejection.label, default: 0] += 1
        logRateLimited(rejection.label, "rejected", rejection)
    }

    /// One line per reason per second: a flood of garbage must not become a flood of logs.
    private func logRateLimited(
        _ label: String, _ message: Logger.Message, _ detail: any Error, level: Logger.Level = .warning
    ) {
        let now = ContinuousClock.now
        if let last = lastLogged[label], now - last < .seconds(1) {
            suppressedLogs[label, default: 0] += 1
            return
        }
        lastLogged[label] = now
        let suppressed = suppressedLogs.removeValue(forKey: label) ?? 0
        logger.log(level: level, message, metadata: [
            "reason": "\(label)", "detail": "\(detail)", "suppressed_since_last": "\(suppressed)",
        ])
    }

    // MARK: - Cadence

    func tick(at now: ContinuousClock.Instant) {
        if !awaitingAcknowledgement.isEmpty, now - lastAcknowledgement >= configuration.acknowledgementInterval {
            publishAcknowledgements(at: now)
        }
        if lastPublish.map({ now - $0 >= configuration.publishInterval }) ?? true {
            publishPolicy(at: now)
        }
        if now - lastLeaseCheck >= .milliseconds(100) {
            lastLeaseCheck = now
            for key in state.membership.expireLeases(at: now) {
                tally(.workerLost)
                logger.warning("worker lost: silent past its lease", metadata: [
                    "worker": "\(key)", "lease": "\(configuration.lease)",
                ])
            }
        }
        if lastStatus.map({ now - $0 >= configuration.statusInterval }) ?? true {
            lastStatus = now
            broadcast(.status(status(at: now)))
            updateWorkerGauges()
        }
        if let last = lastGaugeUpdate, last.version != version { updateGaugesIfDue(for: currentPolicy(), at: now) }
        exportCounters()
    }

    private func publishAcknowledgements(at now: ContinuousClock.Instant) {
        lastAcknowledgement = now
        var acks = Wire.Acks()
        acks.workers = awaitingAcknowledgement.map { key in
            var ack = Wire.WorkerAck()
            ack.worker = key.identity
            let ledger = state.ledgers[key] ?? SequenceLedger()
            ack.contiguousThrough = ledger.contiguousThrough
            ack.selective = ledger.selectiveAcknowledgements(limit: 1024)
            ack.rejected = state.rejectedByWorker[key] ?? 0
            return ack
        }
        awaitingAcknowledgement.removeAll(keepingCapacity: true)
        tally(.acknowledgementPublished)
        broadcast(.acks(acks))
    }

    /// Publishes the distribution, as a new version if anything changed since the last one.
    private func publishPolicy(at now: ContinuousClock.Instant) {
        if changedSincePublish { advanceVersion() }
        broadcastPolicy(at: now)
    }

    /// Publishes the current version as it is.
    private func broadcastPolicy(at now: ContinuousClock.Instant) {
        versionUnpublished = false
        lastPublish = now
        tally(.policyPublished)
        let policy = currentPolicy()
        broadcast(.policy(policy))
        updateGaugesIfDue(for: policy, at: now)
    }

    private func advanceVersion() {
        let next = state.curriculum.version + 1
        // advance(to:) only refuses a lower version.
        try! state.advance(to: next)
        record(.advanced(version: next))
        changedSincePublish = false
        reportsSincePublish = 0
    }

    // MARK: - Durability

    private func record(_ change: StateChange) {
        store?.append(change)
    }

    /// Makes every recorded change durable. Returns false if the disk refused: then
    /// nothing that reflects those changes may be sent, and the next commit retries.
    @discardableResult
    private func commit() -> Bool {
        guard let store, store.hasPending else { return true }
        do {
            let started = ContinuousClock.now
            try store.commit(state)
            metrics.recordJournalCommit(.now - started)
            return true
        } catch {
            tally(.stateWriteFailure)
            logRateLimited("state_write_failed", "cannot save coordinator state; holding acknowledgements", error)
            return false
        }
    }

    /// Writes a snapshot so the next start replays nothing; on a clean stop.
    private func saveSnapshot() {
        guard let store, commit() else { return }
        do {
            try store.compact(state)
        } catch {
            logger.error("cannot save a final snapshot", metadata: ["error": "\(error)"])
        }
    }

    /// Sends on the PUB socket without leaving the actor: a publisher never waits (nng
    /// drops from a full subscriber queue instead), so `trySend` always takes the frame.
    /// Whatever is sent reflects the state, so the state is made durable first.
    private func broadcast(_ body: Wire.Envelope.OneOf_Body) {
        guard commit() else { return }
        do {
            let frame = try WireCodec.encode(body)
            metrics.recordBroadcast(bytes: frame.count)
            _ = try broadcaster.trySend(frame)
        } catch {
            logger.debug("broadcast failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Views

    private func currentPolicy() -> Wire.Policy {
        let distribution = state.distribution()
        var policy = Wire.Policy()
        policy.version = UInt64(state.curriculum.version)
        policy.categories = distribution.categories
        policy.probabilities = distribution.probabilities
        policy.values = distribution.values
        policy.policyName = policyName
        policy.issuedAtMs = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        return policy
    }

    /// The distribution workers draw from now.
    public func distribution() -> CurriculumDistribution {
        state.distribution()
    }

    /// Exact sums of every merged report, by category.
    public var totals: [String: CategoryTotals] {
        state.curriculum.totals
    }

    public var members: [Membership.Member] {
        state.membership.members.values.sorted { ($0.key.workerID, $0.key.incarnation) < ($1.key.workerID, $1.key.incarnation) }
    }

    /// The status once the coordinator has recovered its state and listens; nil before.
    /// What `/readyz` and `/api/status` serve.
    public func statusIfReady() -> Wire.Status? {
        endpoints == nil ? nil : status()
    }

    /// What `curriculum status` shows.
    public func status(at now: ContinuousClock.Instant = .now) -> Wire.Status {
        var status = Wire.Status()
        status.policy = currentPolicy()
        status.workers = members.map { member in
            var worker = Wire.WorkerStatus()
            worker.worker = member.key.identity
            worker.state = member.state.rawValue
            worker.lastSeenMsAgo = (now - member.lastSeen).milliseconds
            worker.lastPolicyVersion = member.lastPolicyVersion
            worker.lastStaleness = member.lastStaleness
            worker.reportsPerSecond = member.reportsPerSecond
            worker.reportsAccepted = member.reportsAccepted
            worker.samplesAccepted = member.samplesAccepted
            worker.meanStaleness = member.meanStaleness
            worker.hostname = member.hostname
            return worker
        }
        status.reportsAccepted = counters.reportsAccepted
        status.reportsRejected = counters.reportsRejected
        status.duplicatesIgnored = counters.duplicatesIgnored
        status.malformedMessages = counters.malformedMessages
        status.authenticationFailures = counters.authenticationFailures
        status.rejections = counters.rejectionsByReason
        status.uptimeMs = (now - started).milliseconds
        status.totals = state.curriculum.totals.sorted { $0.key < $1.key }.map { category, totals in
            var wire = Wire.CategoryTotals()
            wire.category = category
            wire.count = UInt64(totals.count)
            wire.sumAbsAdvantage = totals.sumAbsAdvantage
            wire.sumSquaredAdvantage = totals.sumSquaredAdvantage
            wire.sumReward = totals.sumReward
            wire.reports = UInt64(totals.reports)
            return wire
        }
        return status
    }
}

extension MergedReport {
    init(_ report: ReportFrame, from worker: WorkerKey) {
        let version = Int(clamping: report.policyVersion)
        self.init(
            worker: worker, sequence: report.sequence, resendFloor: report.resendFloor, policyVersion: version,
            stepShare: report.stepShare,
            categories: report.categories.map { stats in
                CategoryReport(
                    // A client that sends a negative count (C's int64 -> uint64 cast, say)
                    // puts its two's complement on the wire: read it back as negative.
                    category: stats.category, count: Int(Int64(bitPattern: stats.count)),
                    sumAbsAdvantage: stats.sumAbsAdvantage, sumSquaredAdvantage: stats.sumSquaredAdvantage,
                    sumReward: stats.sumReward, version: version, share: report.stepShare,
                    groups: stats.groups.map { Int(Int64(bitPattern: $0)) },
                    zeroVarianceGroups: stats.zeroVarianceGroups.map { Int(Int64(bitPattern: $0)) })
            })
    }
}
