import Curriculum
import CurriculumAuth
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
/// resent. `run()` serves until its task is cancelled.
public actor Coordinator {
    public nonisolated let configuration: CoordinatorConfiguration
    private let logger: Logger
    private let broadcaster: Socket
    private let inbox: Socket

    private var curriculum: Curriculum
    private var ledgers: [WorkerKey: SequenceLedger] = [:]
    private var rejectedByWorker: [WorkerKey: UInt64] = [:]
    private var awaitingAcknowledgement: Set<WorkerKey> = []
    private var membership: Membership
    private var knownCategories: Set<String>
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

    public private(set) var counters = CoordinatorCounters()

    public init(configuration: CoordinatorConfiguration, logger: Logger = Logger(label: "curriculum.coordinator")) throws {
        self.configuration = configuration
        self.logger = logger
        self.curriculum = try Curriculum(policy: configuration.policy, staleness: configuration.staleness)
        for category in configuration.categories {
            curriculum.register(category)
        }
        self.knownCategories = Set(configuration.categories)
        self.membership = Membership(lease: configuration.lease)
        self.authenticator = configuration.authentication.map(FrameAuthenticator.init)
        self.broadcaster = try Socket(.publisher)
        self.inbox = try Socket(.subscriber)
        try inbox.subscribe(to: [])
        try inbox.setMaxReceiveSize(configuration.maximumFrameSize)
        try inbox.setReceiveBufferSize(8192)
        try broadcaster.setSendBufferSize(8192)
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
    public var version: UInt64 { UInt64(curriculum.version) }

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
        for message in batch {
            message.withUnsafeBytes { ingest($0, at: now) }
        }
        if versionUnpublished { broadcastPolicy(at: now) }
    }

    /// Handles one frame from a worker. Never throws: whatever is wrong with the
    /// frame is logged, counted, and answered when the sender can be named.
    private func ingest(_ frame: UnsafeRawBufferPointer, at now: ContinuousClock.Instant) {
        counters.framesReceived += 1
        let body: Wire.Envelope.OneOf_Body
        do {
            let envelope = try WireCodec.decodeEnvelope(frame, maximumFrameSize: configuration.maximumFrameSize)
            if let failure = authenticator?.check(frame, envelope: envelope, nowMs: WallClock.milliseconds()) {
                return reject(.authentication(failure, claimedWorker: envelope.sender))
            }
            if authenticator != nil { counters.framesAuthenticated += 1 }
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
            ingest(report, at: now)
        case .join(let join):
            handle(join, at: now)
        case .heartbeat(let heartbeat):
            guard let key = workerKey(heartbeat.hasWorker ? heartbeat.worker : nil, .heartbeat) else { return }
            membershipHeard(from: key, at: now)
            ledgers[key]?.settle(below: heartbeat.resendFloor)
        case .leave(let leave):
            handle(leave, at: now)
        case .policy, .acks, .control, .status:
            reject(.unexpectedTopic(Topic(for: body)))
        }
    }

    private func ingest(_ report: Wire.Report, at now: ContinuousClock.Instant) {
        guard let key = workerKey(report.hasWorker ? report.worker : nil, .report) else { return }
        guard report.sequence > 0 else { return reject(.sequenceZero(worker: key)) }
        membershipHeard(from: key, at: now, stepShare: report.stepShare)

        // Mutated in place: a copy taken out of the dictionary would make the ledger's
        // set storage shared, so every insert would copy it.
        let admission = ledgers[key, default: SequenceLedger(window: configuration.sequenceWindow)]
            .admit(report.sequence, settlingBelow: report.resendFloor)
        switch admission {
        case .duplicate:
            counters.duplicatesIgnored += 1
            awaitingAcknowledgement.insert(key)
            return
        case .outOfWindow:
            return reject(.outOfWindow(worker: key, sequence: report.sequence))
        case .new:
            awaitingAcknowledgement.insert(key)
        }

        if let rejection = merge(report, from: key) {
            counters.reportsRejected += 1
            rejectedByWorker[key, default: 0] += 1
            reject(rejection)
        } else {
            counters.reportsAccepted += 1
            reportsSincePublish += 1
            changedSincePublish = true
            let staleness = UInt64(curriculum.version) - min(report.policyVersion, UInt64(curriculum.version))
            membership.recordReport(
                from: key, policyVersion: report.policyVersion, staleness: staleness,
                samples: report.categories.reduce(0) { $0 + $1.count }, at: now)
            if reportsSincePublish >= configuration.publishEveryReports {
                advanceVersion()
                versionUnpublished = true
            }
        }
    }

    /// Merges every category of a report, or none: all are validated first.
    private func merge(_ report: Wire.Report, from key: WorkerKey) -> IngestRejection? {
        guard !report.categories.isEmpty else { return .emptyReport(worker: key, sequence: report.sequence) }
        let version = Int(clamping: report.policyVersion)
        var candidates: [CategoryReport] = []
        candidates.reserveCapacity(report.categories.count)
        for stats in report.categories {
            let candidate = CategoryReport(
                category: stats.category, count: Int(clamping: stats.count),
                sumAbsAdvantage: stats.sumAbsAdvantage, sumSquaredAdvantage: stats.sumSquaredAdvantage,
                sumReward: stats.sumReward, version: version, share: report.stepShare)
            do {
                try candidate.validate()
                _ = try curriculum.staleness.weight(reportVersion: version, current: curriculum.version)
            } catch {
                return .report(worker: key, sequence: report.sequence, category: stats.category, error)
            }
            if !configuration.acceptsNewCategories, !knownCategories.contains(stats.category) {
                return .unknownCategory(worker: key, sequence: report.sequence, category: stats.category)
            }
            candidates.append(candidate)
        }
        for candidate in candidates {
            // Validated above against the same version: apply cannot refuse it now.
            try! curriculum.apply(candidate)
            knownCategories.insert(candidate.category)
        }
        return nil
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
            let change = membership.heard(
                from: key, at: now, joining: true, hostname: join.hostname, stepShare: join.stepShare)
            note(change, for: key)
            for category in join.categories where !category.isEmpty && !knownCategories.contains(category) {
                knownCategories.insert(category)
                curriculum.register(category)
                changedSincePublish = true
            }
            var accepted = Wire.JoinAccepted()
            accepted.worker = key.identity
            accepted.leaseMs = UInt32(clamping: configuration.lease.milliseconds)
            accepted.heartbeatIntervalMs = UInt32(clamping: configuration.heartbeatInterval.milliseconds)
            if changedSincePublish { advanceVersion() }
            accepted.policy = currentPolicy()
            accepted.contiguousThrough = ledgers[key]?.contiguousThrough ?? 0
            control.kind = .joinAccepted(accepted)
        }
        broadcast(.control(control))
    }

    private func handle(_ leave: Wire.Leave, at now: ContinuousClock.Instant) {
        guard let key = workerKey(leave.hasWorker ? leave.worker : nil, .leave) else { return }
        if membership.members[key]?.state != .left {
            counters.leaves += 1
            logger.info("worker left", metadata: ["worker": "\(key)", "last_sequence": "\(leave.lastSequence)"])
        }
        membership.left(key, at: now)
        var accepted = Wire.LeaveAccepted()
        accepted.worker = key.identity
        var control = Wire.Control()
        control.kind = .leaveAccepted(accepted)
        broadcast(.control(control))
    }

    private func workerKey(_ identity: Wire.WorkerIdentity?, _ topic: Topic) -> WorkerKey? {
        guard let identity, !identity.workerID.isEmpty else {
            reject(.missingWorkerIdentity(topic))
            return nil
        }
        return WorkerKey(identity)
    }

    private func membershipHeard(from key: WorkerKey, at now: ContinuousClock.Instant, stepShare: Double? = nil) {
        note(membership.heard(from: key, at: now, stepShare: stepShare), for: key)
    }

    private func note(_ change: Membership.Change, for key: WorkerKey) {
        switch change {
        case .none: return
        case .joined:
            counters.joins += 1
            logger.info("worker joined", metadata: ["worker": "\(key)", "active": "\(membership.activeCount)"])
        case .revived:
            logger.info("lost worker is back", metadata: ["worker": "\(key)"])
        case .replaced(let old):
            counters.joins += 1
            logger.info("worker restarted", metadata: ["worker": "\(key)", "replaces": "\(old)"])
        }
    }

    private func reject(_ rejection: IngestRejection) {
        let label = rejection.label
        counters.rejectionsByReason[label, default: 0] += 1
        // One line per reason per second: a flood of garbage must not become a flood of logs.
        let now = ContinuousClock.now
        if let last = lastLogged[label], now - last < .seconds(1) {
            suppressedLogs[label, default: 0] += 1
            return
        }
        lastLogged[label] = now
        let suppressed = suppressedLogs.removeValue(forKey: label) ?? 0
        logger.warning("rejected", metadata: [
            "reason": "\(label)", "detail": "\(rejection)", "suppressed_since_last": "\(suppressed)",
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
            for key in membership.expireLeases(at: now) {
                counters.workersLost += 1
                logger.warning("worker lost: silent past its lease", metadata: [
                    "worker": "\(key)", "lease": "\(configuration.lease)",
                ])
            }
        }
        if lastStatus.map({ now - $0 >= configuration.statusInterval }) ?? true {
            lastStatus = now
            broadcast(.status(status(at: now)))
        }
    }

    private func publishAcknowledgements(at now: ContinuousClock.Instant) {
        lastAcknowledgement = now
        var acks = Wire.Acks()
        acks.workers = awaitingAcknowledgement.map { key in
            var ack = Wire.WorkerAck()
            ack.worker = key.identity
            let ledger = ledgers[key] ?? SequenceLedger()
            ack.contiguousThrough = ledger.contiguousThrough
            ack.selective = ledger.selectiveAcknowledgements(limit: 1024)
            ack.rejected = rejectedByWorker[key] ?? 0
            return ack
        }
        awaitingAcknowledgement.removeAll(keepingCapacity: true)
        counters.acknowledgementsPublished += 1
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
        counters.policiesPublished += 1
        broadcast(.policy(currentPolicy()))
    }

    private func advanceVersion() {
        // advance(to:) only refuses a lower version.
        try! curriculum.advance(to: curriculum.version + 1)
        changedSincePublish = false
        reportsSincePublish = 0
    }

    /// Sends on the PUB socket without leaving the actor: a publisher never waits (nng
    /// drops from a full subscriber queue instead), so `trySend` always takes the frame.
    private func broadcast(_ body: Wire.Envelope.OneOf_Body) {
        do {
            _ = try broadcaster.trySend(WireCodec.encode(body))
        } catch {
            logger.debug("broadcast failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Views

    private func currentPolicy() -> Wire.Policy {
        let distribution = curriculum.distribution()
        var policy = Wire.Policy()
        policy.version = UInt64(curriculum.version)
        policy.categories = distribution.categories
        policy.probabilities = distribution.probabilities
        policy.values = distribution.values
        policy.policyName = configuration.policy.name
        policy.issuedAtMs = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        return policy
    }

    /// The distribution workers draw from now.
    public func distribution() -> CurriculumDistribution {
        curriculum.distribution()
    }

    /// Exact sums of every merged report, by category.
    public var totals: [String: CategoryTotals] {
        curriculum.totals
    }

    public var members: [Membership.Member] {
        membership.members.values.sorted { ($0.key.workerID, $0.key.incarnation) < ($1.key.workerID, $1.key.incarnation) }
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
            worker.hostname = member.hostname
            return worker
        }
        status.reportsAccepted = counters.reportsAccepted
        status.reportsRejected = counters.reportsRejected
        status.duplicatesIgnored = counters.duplicatesIgnored
        status.malformedMessages = counters.malformedMessages
        status.authenticationFailures = counters.authenticationFailures
        status.uptimeMs = (now - started).milliseconds
        status.totals = curriculum.totals.sorted { $0.key < $1.key }.map { category, totals in
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
