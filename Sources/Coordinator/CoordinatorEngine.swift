import Curriculum
import CurriculumAuth
import CurriculumMetrics
import CurriculumWire

/// The coordinator's protocol, without sockets, clocks or logs.
///
/// It takes frames as bytes and the passing of time as arguments, and answers with
/// ``CoordinatorEffects``: the state changes it applied (to make durable), the messages to
/// broadcast once they are, and what to log and measure. Every change goes through
/// ``CoordinatorState/apply(_:acceptingNewCategories:at:)``, the function recovery
/// replays the journal with, and is then handed out for the journal. The `Coordinator`
/// actor moves the bytes; tests drive the engine directly, in microseconds.
///
/// Handlers take raw frames rather than decoded ones: the signature covers the exact
/// bytes, reports (nearly all the traffic) are decoded by a fast reader that needs them,
/// and what a bad frame is refused for (and whether its sender is answered) is protocol.
public struct CoordinatorEngine: Sendable {
    /// The two readings of time the protocol needs, taken by the caller.
    public struct Moment: Sendable, Hashable {
        /// For leases, cadence and rates.
        public var instant: ContinuousClock.Instant
        /// For signature times and a policy's `issued_at_ms`.
        public var wallClockMs: UInt64

        public init(instant: ContinuousClock.Instant, wallClockMs: UInt64) {
            self.instant = instant
            self.wallClockMs = wallClockMs
        }
    }

    public let configuration: CoordinatorConfiguration
    public internal(set) var state: CoordinatorState
    /// The policy the state was made with, named in every published policy.
    public let policyName: String
    /// Checks signatures when the configuration has a keyring.
    var authenticator: FrameAuthenticator?
    public internal(set) var counters = CoordinatorCounters()
    /// What the handlers produced since the caller last took it.
    var effects = CoordinatorEffects()

    /// Where the answers to the frame being handled go.
    var route = ReplyRoute.broadcast
    /// Workers whose frames came without a way back, acknowledged together on the broadcast.
    var awaitingAcknowledgement: Set<WorkerKey> = []
    /// The newest request of each worker to answer with its acknowledgement.
    var requestsAwaitingAcknowledgement: [WorkerKey: [UInt8]] = [:]
    /// When each worker answered within the last acknowledgement interval was answered.
    var lastAcknowledgementReply: [WorkerKey: ContinuousClock.Instant] = [:]
    var reportsSincePublish = 0
    var changedSincePublish = false
    /// The version advanced during the batch being ingested and is not published yet.
    var versionUnpublished = false
    var lastPublish: ContinuousClock.Instant?
    /// When acknowledgements were last broadcast (for frames that came without a request).
    var lastAcknowledgement: ContinuousClock.Instant
    var lastStatus: ContinuousClock.Instant?
    var lastLeaseCheck: ContinuousClock.Instant
    let started: ContinuousClock.Instant

    /// How often leases are checked and rate windows rolled.
    static let leaseCheckInterval: Duration = .milliseconds(100)

    /// An engine around `state` (fresh, or recovered from a state directory).
    public init(
        configuration: CoordinatorConfiguration, state: CoordinatorState, startedAt started: ContinuousClock.Instant
    ) {
        self.configuration = configuration
        self.state = state
        self.policyName = state.curriculum.policy.snapshot.name
        self.authenticator = configuration.authentication.map { FrameAuthenticator($0, resuming: state.signatureCounters) }
        self.started = started
        self.lastAcknowledgement = started
        self.lastLeaseCheck = started
    }

    /// A fresh state for `configuration`: its policy and staleness rules, its categories.
    public static func freshState(for configuration: CoordinatorConfiguration) throws -> CoordinatorState {
        var state = CoordinatorState(
            curriculum: try Curriculum(policy: configuration.policy, staleness: configuration.staleness),
            lease: configuration.lease, sequenceWindow: configuration.sequenceWindow)
        for category in configuration.categories { state.register(category) }
        return state
    }

    /// Replaces the keys workers may sign with. False, changing nothing, when the engine
    /// does not check signatures.
    public mutating func replaceKeyring(_ keyring: Keyring) -> Bool {
        guard authenticator != nil else { return false }
        authenticator?.replaceKeyring(keyring)
        return true
    }

    /// Everything the handlers produced since the last call.
    public mutating func takeEffects() -> CoordinatorEffects {
        defer { effects = CoordinatorEffects() }
        return effects
    }

    /// Applies `change` to the state and hands it out for the journal: the one way the
    /// live protocol changes durable state. Only a merge can be refused.
    mutating func record(_ change: StateChange, at now: Moment) throws(CoordinatorState.Refusal) {
        try state.apply(change, acceptingNewCategories: configuration.acceptsNewCategories, at: now.instant)
        effects.changes.append(change)
    }

    /// Records a change the state cannot refuse: anything but a merge, or an advance to a
    /// higher version.
    mutating func recordAccepted(_ change: StateChange, at now: Moment) {
        try! record(change, at: now)
    }

    /// Counts `event` in `counters`, what `Status` shows and the metrics export.
    mutating func tally(_ event: CoordinatorEvent, by amount: UInt64 = 1) {
        counters.count(event, by: amount)
    }

    /// Counts a refusal under its label, and asks for it to be logged.
    mutating func reject(_ rejection: IngestRejection) {
        counters.rejectionsByReason[rejection.label, default: 0] += 1
        effects.events.append(.rejected(rejection))
    }

    /// The caller could not make the changes durable: counted, its messages held back.
    public mutating func noteStateWriteFailure() {
        tally(.stateWriteFailure)
    }

    public var version: UInt64 { UInt64(state.curriculum.version) }
}
