import CurriculumWire
import NNG

/// The identities and the one loop that drives them all: a 20 ms tick hands each identity
/// the time, and sends what it says is due (joins, reports, heartbeats, resends, leaves).
/// One loop instead of a timer per identity: 2,000 timers waking on their own cost more
/// wake-ups than the frames they send.
@MainActor final class Fleet {
    let options: FleetOptions
    let plan: ReportPlan
    let stats = FleetStats()
    let endpoints: CoordinatorProcess.Endpoints
    private(set) var identities: [FleetIdentity] = []
    private var receivers: [Task<Void, Never>] = []
    static let tick = Duration.milliseconds(20)

    init(options: FleetOptions, plan: ReportPlan, endpoints: CoordinatorProcess.Endpoints) {
        self.options = options
        self.plan = plan
        self.endpoints = endpoints
    }

    /// Starts identities at `--join-rate` (each reporting as soon as it is accepted) until
    /// all have joined; false if some had not after the ramp plus `grace`.
    func ramp(grace: Duration = .seconds(60)) async throws -> Bool {
        let started = ContinuousClock.now
        let deadline = started + .seconds(Double(options.workers) / options.joinRate) + grace
        while ContinuousClock.now < deadline {
            let elapsed = (ContinuousClock.now - started).seconds
            let wanted = min(options.workers, Int(elapsed * options.joinRate) + 1)
            while identities.count < wanted {
                let identity = try FleetIdentity(index: identities.count, plan: plan, stats: stats, endpoints: endpoints)
                identities.append(identity)
                receivers.append(Task.detached { await identity.receive() })
            }
            await drive(reporting: true)
            if identities.count == options.workers, identities.allSatisfy({ $0.phase != .joining }) { return true }
            try await Task.sleep(for: Self.tick)
        }
        return false
    }

    /// Keeps the fleet reporting for `duration`.
    func run(for duration: Duration) async throws {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            await drive(reporting: true)
            try await Task.sleep(for: Self.tick)
        }
    }

    /// Drains every identity and waits until all have left, or `deadline` passes (the
    /// protocol's recommended 30 s); returns how many had not.
    func drain(deadline: Duration = .seconds(30)) async throws -> Int {
        for identity in identities { identity.drain() }
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end, identities.contains(where: { $0.phase != .left }) {
            await drive(reporting: false)
            try await Task.sleep(for: Self.tick)
        }
        return identities.filter { $0.phase != .left }.count
    }

    /// Every identity's bytes received so far, summed by topic.
    func bytesReceived() -> [Topic: Int] {
        identities.reduce(into: [:]) { sum, identity in
            for (topic, bytes) in identity.state.withLock({ $0.bytesReceived }) { sum[topic, default: 0] += bytes }
        }
    }

    var retransmissions: Int { identities.reduce(0) { $0 + $1.state.withLock { $0.retransmissions } } }

    var unacknowledged: Int { identities.reduce(0) { $0 + $1.state.withLock { $0.outbox.count } } }

    func close() {
        for receiver in receivers { receiver.cancel() }
        for identity in identities { identity.close() }
    }

    private func drive(reporting: Bool) async {
        let now = ContinuousClock.now
        for identity in identities {
            for frame in identity.due(at: now, reporting: reporting) {
                // A publisher never waits; an error here is a closed socket at shutdown.
                try? await identity.publisher.send(frame)
            }
        }
    }
}
