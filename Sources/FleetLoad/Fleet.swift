import CurriculumWire
import NNG

/// N worker identities and the one loop that drives them all: a 20 ms tick hands each
/// identity the time, and sends what it says is due (joins, reports, heartbeats, resends,
/// leaves). One loop instead of a timer per identity: 2,000 timers waking on their own cost
/// more wake-ups than the frames they send. Identity `i` attaches to `endpoints[i % count]`,
/// so a fleet given one relay's endpoints per node spreads evenly over the nodes.
public actor Fleet {
    nonisolated public let workers: Int
    nonisolated public let joinRate: Double
    nonisolated public let plan: ReportPlan
    nonisolated public let stats = FleetStats()
    nonisolated public let endpoints: [FleetEndpoints]
    private var identities: [FleetIdentity] = []
    private var receivers: [Task<Void, Never>] = []
    static let tick = Duration.milliseconds(20)

    /// - Parameter joinRate: identities started per second by ``ramp(grace:)``.
    public init(workers: Int, joinRate: Double, plan: ReportPlan, endpoints: [FleetEndpoints]) {
        precondition(!endpoints.isEmpty, "a fleet needs somewhere to attach")
        self.workers = workers
        self.joinRate = joinRate
        self.plan = plan
        self.endpoints = endpoints
    }

    /// Starts identities at `joinRate` (each reporting as soon as it is accepted) until all
    /// have joined; false if some had not after the ramp plus `grace`.
    public func ramp(grace: Duration = .seconds(60)) async throws -> Bool {
        let started = ContinuousClock.now
        let deadline = started + .seconds(Double(workers) / joinRate) + grace
        while ContinuousClock.now < deadline {
            let elapsed = (ContinuousClock.now - started).seconds
            let wanted = min(workers, Int(elapsed * joinRate) + 1)
            while identities.count < wanted {
                let index = identities.count
                let identity = try FleetIdentity(
                    index: index, plan: plan, stats: stats, endpoints: endpoints[index % endpoints.count])
                identities.append(identity)
                receivers.append(Task.detached { await identity.receiveBroadcast() })
                receivers.append(Task.detached { await identity.receiveReplies() })
            }
            drive(reporting: true)
            if identities.count == workers, identities.allSatisfy({ $0.phase != .joining }) { return true }
            try await Task.sleep(for: Self.tick)
        }
        return false
    }

    /// Keeps the fleet reporting for `duration`.
    public func run(for duration: Duration) async throws {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            drive(reporting: true)
            try await Task.sleep(for: Self.tick)
        }
    }

    /// Drains every identity and waits until all have left, or `deadline` passes (the
    /// protocol's recommended 30 s); returns how many had not.
    public func drain(deadline: Duration = .seconds(30)) async throws -> Int {
        for identity in identities { identity.drain() }
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end, identities.contains(where: { $0.phase != .left }) {
            drive(reporting: false)
            try await Task.sleep(for: Self.tick)
        }
        return identities.filter { $0.phase != .left }.count
    }

    /// Every identity's bytes received so far, summed.
    public func bytesReceived() -> ReceivedBytes {
        identities.reduce(into: ReceivedBytes()) { sum, identity in sum.add(identity.state.withLock { $0.received }) }
    }

    public var retransmissions: Int { identities.reduce(0) { $0 + $1.state.withLock { $0.retransmissions } } }

    public var sendsRefused: Int { identities.reduce(0) { $0 + $1.state.withLock { $0.sendsRefused } } }

    /// Requests sent and replies received, over the whole run.
    public var requestsAndReplies: (requests: Int, replies: Int) {
        identities.reduce(into: (0, 0)) { sum, identity in
            identity.state.withLock { sum.0 += $0.requestsSent; sum.1 += $0.repliesReceived }
        }
    }

    public var unacknowledged: Int { identities.reduce(0) { $0 + $1.state.withLock { $0.outbox.count } } }

    public func close() {
        for receiver in receivers { receiver.cancel() }
        for identity in identities { identity.close() }
    }

    private func drive(reporting: Bool) {
        let now = ContinuousClock.now
        for identity in identities {
            identity.send(identity.due(at: now, reporting: reporting))
        }
    }
}
