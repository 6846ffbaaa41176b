import Curriculum
import CurriculumAuth
import CurriculumWire
import NNG

/// Everything a coordinator needs to serve: endpoints, the policy, staleness
/// rules and the protocol's cadences.
public struct CoordinatorConfiguration: Sendable {
    /// Where the coordinator's PUB socket listens: policies.
    public var broadcastURL: String
    /// Where the coordinator's raw REP socket listens: each worker's joins, reports,
    /// heartbeats and leaves, answered one by one.
    public var requestsURL: String
    /// Where the coordinator's status PUB socket listens, for `curriculum status` and monitors.
    public var statusURL: String
    /// Where version-1 workers send (a SUB socket): they are answered, on the broadcast,
    /// that this coordinator speaks another version.
    public var reportsURL: String
    public var policy: PolicyConfiguration
    public var staleness: StalenessConfiguration
    /// Categories known from the start; workers may announce more when they join.
    public var categories: [String]
    /// Whether a report may name a category nobody registered. When false such
    /// reports are rejected (counted as `unknown_category`).
    public var acceptsNewCategories: Bool

    /// A new policy version is published after this many merged reports...
    public var publishEveryReports: Int
    /// ...or after this long, whichever comes first. The current policy is
    /// re-published at this interval even when nothing changed.
    public var publishInterval: Duration
    /// The policy copies a second the broadcast may cost, counting one per worker: a version is
    /// broadcast at once unless the last broadcast was less than `workers / budget` ago, and
    /// then the newest goes when that spacing has passed. Versions still advance as above, so
    /// staleness is counted as before; only the broadcasts in between are skipped, as a lost
    /// one would be. 20,000 spaces 2,000 workers' policies 100 ms apart and 10 workers' 0.5 ms.
    public var policyCopiesPerSecond: Double
    /// How long received reports wait to be acknowledged together: each worker gets one reply
    /// per interval, to its newest request.
    public var acknowledgementInterval: Duration
    public var statusInterval: Duration
    /// A worker silent for this long is marked lost.
    public var lease: Duration
    /// How often workers are told to send heartbeats.
    public var heartbeatInterval: Duration
    /// How far ahead of a worker's acknowledged sequence its reports are tracked.
    public var sequenceWindow: UInt64
    /// Larger frames are refused and counted as `oversized`. nng itself drops frames
    /// over four times this size, closing the sender's connection.
    public var maximumFrameSize: Int
    /// The most reports a worker may put in one REPT frame, told to each worker when it
    /// joins. Workers batch only what is ready at once, so this caps, not delays; 1 makes
    /// every report travel alone.
    public var maximumReportsPerFrame: Int
    public var tls: TLSConfiguration?
    /// Where the durable state lives (snapshot + journal). Without it the coordinator
    /// keeps its state in memory only.
    public var stateDirectory: String?
    /// A journal this long is folded into a new snapshot.
    public var compactionBytes: Int
    /// When set, every frame must be signed by a key of its keyring; when nil, frames
    /// are taken in without checking, signed or not.
    public var authentication: IngestAuthentication?
    /// When finished worker incarnations are retired, and how long their records last.
    public var retirement: RetirementPolicy

    public init(
        broadcastURL: String,
        requestsURL: String,
        statusURL: String,
        reportsURL: String,
        policy: PolicyConfiguration = .sec(.init()),
        staleness: StalenessConfiguration = .init(),
        categories: [String] = [],
        acceptsNewCategories: Bool = true,
        publishEveryReports: Int = 64,
        publishInterval: Duration = .milliseconds(100),
        policyCopiesPerSecond: Double = 20_000,
        acknowledgementInterval: Duration = .milliseconds(5),
        statusInterval: Duration = .seconds(1),
        lease: Duration = .seconds(10),
        heartbeatInterval: Duration = .seconds(2),
        sequenceWindow: UInt64 = 1 << 16,
        maximumFrameSize: Int = WireCodec.defaultMaximumFrameSize,
        maximumReportsPerFrame: Int = 64,
        tls: TLSConfiguration? = nil,
        stateDirectory: String? = nil,
        compactionBytes: Int = 64 << 20,
        authentication: IngestAuthentication? = nil,
        retirement: RetirementPolicy = .init()
    ) {
        self.broadcastURL = broadcastURL
        self.requestsURL = requestsURL
        self.statusURL = statusURL
        self.reportsURL = reportsURL
        self.policy = policy
        self.staleness = staleness
        self.categories = categories
        self.acceptsNewCategories = acceptsNewCategories
        self.publishEveryReports = publishEveryReports
        self.publishInterval = publishInterval
        self.policyCopiesPerSecond = policyCopiesPerSecond
        self.acknowledgementInterval = acknowledgementInterval
        self.statusInterval = statusInterval
        self.lease = lease
        self.heartbeatInterval = heartbeatInterval
        self.sequenceWindow = sequenceWindow
        self.maximumFrameSize = maximumFrameSize
        self.maximumReportsPerFrame = maximumReportsPerFrame
        self.tls = tls
        self.stateDirectory = stateDirectory
        self.compactionBytes = compactionBytes
        self.authentication = authentication
        self.retirement = retirement
    }
}
