import Curriculum
import CurriculumAuth
import NNG

/// How a worker agent reaches the coordinator and paces its protocol.
public struct WorkerAgentConfiguration: Sendable {
    /// This worker's stable name. A restarted worker keeps it.
    public var workerID: String
    /// This process's run of the worker; a new value for every start, so report
    /// sequence numbers never collide with a previous run's.
    public var incarnation: UInt64
    public var hostname: String
    /// The coordinator's broadcast endpoint (its PUB socket), dialed by the agent's SUB socket.
    public var broadcastURL: String
    /// The coordinator's requests endpoint (its raw REP socket), dialed by the agent's raw
    /// REQ socket: joins, reports, heartbeats and leaves go there, and their answers come back.
    public var requestsURL: String
    /// This worker's share of one training step's global batch (b / B), in (0, 1].
    public var stepShare: Double
    /// How to split a batch among categories.
    public var allocationMethod: BatchAllocator.Method
    /// The minimum probability of every category in a batch, in [0, 1].
    public var explorationFloor: Double
    /// The seed of every random draw the agent makes.
    public var seed: UInt64

    /// Unacknowledged reports kept for retransmission.
    public var outboxCapacity: Int
    public var overflowPolicy: OutboxOverflowPolicy
    /// The first retransmission timeout; it doubles per attempt up to the maximum.
    public var retransmitTimeout: Duration
    public var maximumRetransmitTimeout: Duration
    /// How often an unanswered join is repeated.
    public var joinRetryInterval: Duration
    /// How often the agent runs its timers (retransmission, heartbeat, join).
    public var tickInterval: Duration
    /// How long a graceful shutdown of `run()` (in a `ServiceGroup`) waits for acknowledgements.
    public var drainTimeout: Duration
    /// How nng redials a lost coordinator.
    public var reconnect: ReconnectPolicy
    /// How long the coordinator may stay silent, or a join unanswered, before the agent
    /// closes its dialers and dials anew (nng's own redial did not always recover).
    public var redialAfter: Duration
    public var tls: TLSConfiguration?
    /// When set, every frame the agent sends is signed with this key (Protocols/README.md
    /// section 8), as a coordinator with a keyring requires.
    public var signingKey: AuthenticationKey?

    public init(
        workerID: String,
        incarnation: UInt64 = UInt64.random(in: 1...UInt64.max),
        hostname: String = "",
        broadcastURL: String,
        requestsURL: String,
        stepShare: Double = 1,
        allocationMethod: BatchAllocator.Method = .multinomial,
        explorationFloor: Double = 0,
        seed: UInt64 = UInt64.random(in: 0...UInt64.max),
        outboxCapacity: Int = 65_536,
        overflowPolicy: OutboxOverflowPolicy = .dropOldest,
        retransmitTimeout: Duration = .milliseconds(250),
        maximumRetransmitTimeout: Duration = .seconds(5),
        joinRetryInterval: Duration = .milliseconds(250),
        tickInterval: Duration = .milliseconds(20),
        drainTimeout: Duration = .seconds(30),
        reconnect: ReconnectPolicy = ReconnectPolicy(minimum: .milliseconds(100), maximum: .seconds(2)),
        redialAfter: Duration = .seconds(10),
        tls: TLSConfiguration? = nil,
        signingKey: AuthenticationKey? = nil
    ) {
        self.workerID = workerID
        self.incarnation = incarnation
        self.hostname = hostname
        self.broadcastURL = broadcastURL
        self.requestsURL = requestsURL
        self.stepShare = stepShare
        self.allocationMethod = allocationMethod
        self.explorationFloor = explorationFloor
        self.seed = seed
        self.outboxCapacity = outboxCapacity
        self.overflowPolicy = overflowPolicy
        self.retransmitTimeout = retransmitTimeout
        self.maximumRetransmitTimeout = maximumRetransmitTimeout
        self.joinRetryInterval = joinRetryInterval
        self.tickInterval = tickInterval
        self.drainTimeout = drainTimeout
        self.reconnect = reconnect
        self.redialAfter = redialAfter
        self.tls = tls
        self.signingKey = signingKey
    }
}
