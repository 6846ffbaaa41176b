/// The workers the coordinator has heard from, with their leases.
///
/// Any message from a worker renews its lease. A worker silent for longer
/// than the lease is marked lost; one that speaks again becomes active again,
/// and its late reports merge like any other (the ledger keeps them exactly-once).
public struct Membership: Sendable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case active
        /// Silent past its lease.
        case lost
        /// Drained and said goodbye.
        case left
        /// A newer incarnation of the same worker id joined.
        case replaced
    }

    public struct Member: Sendable, Equatable {
        public let key: WorkerKey
        public var hostname: String
        public var stepShare: Double
        public var state: State
        public var lastSeen: ContinuousClock.Instant
        public var lastPolicyVersion: UInt64 = 0
        public var lastStaleness: UInt64 = 0
        public var reportsAccepted: UInt64 = 0
        public var samplesAccepted: UInt64 = 0
        /// Accepted reports per second over the last completed rate window.
        public var reportsPerSecond: Double = 0
        /// Summed staleness of the reports this process merged (a snapshot does not keep
        /// it; journal replay does), and how many that is.
        public var stalenessSum: UInt64 = 0
        public var stalenessCount: UInt64 = 0
        /// The mean staleness of the reports this process merged.
        public var meanStaleness: Double { stalenessCount == 0 ? 0 : Double(stalenessSum) / Double(stalenessCount) }
        fileprivate var rateWindowStart: ContinuousClock.Instant
        fileprivate var rateWindowCount: UInt64 = 0
    }

    /// What a message from a worker changed in the membership.
    public enum Change: Sendable, Equatable {
        case none
        case joined
        case revived
        /// A new incarnation displaced these older ones.
        case replaced([WorkerKey])
    }

    public let lease: Duration
    public let rateWindow: Duration
    public private(set) var members: [WorkerKey: Member] = [:]

    public init(lease: Duration, rateWindow: Duration = .seconds(1)) {
        self.lease = lease
        self.rateWindow = rateWindow
    }

    public var activeCount: Int { members.values.count { $0.state == .active } }

    /// Records that `key` spoke at `now`, registering it if it is new.
    /// Reports and heartbeats register a worker too, so a coordinator that
    /// restarted, or missed a join, still knows who is sending. Only a join
    /// replaces other incarnations: a late message from an old process must not
    /// displace the one running now.
    @discardableResult
    public mutating func heard(
        from key: WorkerKey,
        at now: ContinuousClock.Instant,
        joining: Bool = false,
        hostname: String? = nil,
        stepShare: Double? = nil
    ) -> Change {
        // Updated where it lies: every report passes here, and a copy taken out and stored
        // back would hash the key twice and copy the member's strings.
        if let index = members.index(forKey: key) {
            let wasAway = members.values[index].state == .lost
            members.values[index].lastSeen = now
            if let hostname { members.values[index].hostname = hostname }
            if let stepShare { members.values[index].stepShare = stepShare }
            // A worker that left and speaks again is retransmitting into its
            // drain; it does not rejoin unless it sends a join.
            if wasAway { members.values[index].state = .active }
            return wasAway ? .revived : .none
        }
        members[key] = Member(
            key: key, hostname: hostname ?? "", stepShare: stepShare ?? 0, state: .active,
            lastSeen: now, rateWindowStart: now
        )
        guard joining else { return .joined }
        // A lost incarnation is replaced too: its process is gone (a crash, a killed job or
        // actor) now that its worker runs again. One that left stays left.
        let displaced = members.values
            .filter { $0.key.workerID == key.workerID && $0.key != key && ($0.state == .active || $0.state == .lost) }
            .map(\.key)
        for old in displaced { members[old]?.state = .replaced }
        return displaced.isEmpty ? .joined : .replaced(displaced)
    }

    /// Registers `key` as active if it is unknown; leaves a known member as it is.
    /// Replayed reports use it: recovery must not revive or displace anyone.
    public mutating func heardIfUnknown(from key: WorkerKey, at now: ContinuousClock.Instant) {
        guard members.index(forKey: key) == nil else { return }
        members[key] = Member(
            key: key, hostname: "", stepShare: 0, state: .active, lastSeen: now, rateWindowStart: now)
    }

    /// Puts back a member saved in a snapshot, its lease starting at `now`.
    public mutating func restore(
        _ key: WorkerKey, state: State, hostname: String, stepShare: Double, lastPolicyVersion: UInt64,
        lastStaleness: UInt64, reportsAccepted: UInt64, samplesAccepted: UInt64, at now: ContinuousClock.Instant
    ) {
        members[key] = Member(
            key: key, hostname: hostname, stepShare: stepShare, state: state, lastSeen: now,
            lastPolicyVersion: lastPolicyVersion, lastStaleness: lastStaleness, reportsAccepted: reportsAccepted,
            samplesAccepted: samplesAccepted, rateWindowStart: now)
    }

    public mutating func recordReport(
        from key: WorkerKey,
        policyVersion: UInt64,
        staleness: UInt64,
        samples: UInt64,
        at now: ContinuousClock.Instant
    ) {
        // In place, as in heard(from:at:).
        guard let index = members.index(forKey: key) else { return }
        Self.recordReport(
            in: &members.values[index], policyVersion: policyVersion, staleness: staleness, samples: samples,
            at: now, window: rateWindow)
    }

    private static func recordReport(
        in member: inout Member, policyVersion: UInt64, staleness: UInt64, samples: UInt64,
        at now: ContinuousClock.Instant, window: Duration
    ) {
        // Saturating: see CategoryTotals; a counter must not be able to trap.
        let (sum, overflow) = member.samplesAccepted.addingReportingOverflow(samples)
        member.samplesAccepted = overflow ? .max : sum
        member.lastPolicyVersion = max(member.lastPolicyVersion, policyVersion)
        member.lastStaleness = staleness
        member.stalenessSum = member.stalenessSum.addingReportingOverflow(staleness).overflow
            ? .max : member.stalenessSum + staleness
        member.stalenessCount += 1
        member.reportsAccepted += 1
        member.rateWindowCount += 1
        rollRateWindow(&member, at: now, window: window)
    }

    /// Forgets `key`: a retired incarnation (see ``CoordinatorState/retireFinished(at:wallClockMs:policy:)``).
    public mutating func remove(_ key: WorkerKey) {
        members[key] = nil
    }

    public mutating func left(_ key: WorkerKey, at now: ContinuousClock.Instant) {
        members[key]?.state = .left
        members[key]?.lastSeen = now
    }

    /// Marks active workers silent past the lease as lost and returns them.
    public mutating func expireLeases(at now: ContinuousClock.Instant) -> [WorkerKey] {
        var lost: [WorkerKey] = []
        for (key, member) in members where member.state == .active && now - member.lastSeen > lease {
            members[key]?.state = .lost
            lost.append(key)
        }
        for key in members.keys {
            Self.rollRateWindow(&members[key]!, at: now, window: rateWindow)
        }
        return lost
    }

    private static func rollRateWindow(_ member: inout Member, at now: ContinuousClock.Instant, window: Duration) {
        let elapsed = now - member.rateWindowStart
        guard elapsed >= window else { return }
        member.reportsPerSecond = Double(member.rateWindowCount) / elapsed.seconds
        member.rateWindowStart = now
        member.rateWindowCount = 0
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    var milliseconds: UInt64 {
        UInt64(max(0, seconds * 1000).rounded())
    }
}
