import CurriculumWire

@testable import WorkerAgent

/// A worker session without sockets, a clock that moves only when told, and readers for what
/// the session says to send.
struct SessionFixture {
    static let identity: Wire.WorkerIdentity = {
        var identity = Wire.WorkerIdentity()
        identity.workerID = "w1"
        identity.incarnation = 42
        return identity
    }()

    var session: WorkerSession
    var now = ContinuousClock.now

    init(
        capacity: Int = 1_000, overflow: OutboxOverflowPolicy = .dropOldest,
        retransmitTimeout: Duration = .milliseconds(100), maximumTimeout: Duration = .seconds(2)
    ) {
        session = WorkerSession(
            settings: .init(
                identity: Self.identity, hostname: "host", stepShare: 0.5, joinRetryInterval: .milliseconds(250)),
            categories: ["a", "b"],
            outbox: Outbox(
                capacity: capacity, overflow: overflow, initialTimeout: retransmitTimeout,
                maximumTimeout: maximumTimeout, seed: 7))
    }

    mutating func advance(_ duration: Duration) {
        now += duration
    }

    /// Queues a report of `count` samples in category "a" and returns its sequence number.
    @discardableResult
    mutating func report(count: Int = 4, category: String = "a", batched: Bool = true) throws -> UInt64 {
        let statistics = AdvantageStatistics(
            category: category, count: count, sumAbsAdvantage: Double(count), sumSquaredAdvantage: Double(count),
            sumReward: 1)
        return try session.queue(policyVersion: 3, statistics: [statistics], batched: batched, at: now).sequence
    }

    /// The coordinator's join answer for this worker.
    static func joinAccepted(
        contiguousThrough: UInt64 = 0, maximumReportsPerFrame: UInt32 = 64, policyVersion: UInt64 = 1,
        worker: Wire.WorkerIdentity = identity
    ) -> Wire.Control {
        var accepted = Wire.JoinAccepted()
        accepted.worker = worker
        accepted.heartbeatIntervalMs = 1_000
        accepted.contiguousThrough = contiguousThrough
        accepted.maxReportsPerFrame = maximumReportsPerFrame
        accepted.policy.version = policyVersion
        var control = Wire.Control()
        control.kind = .joinAccepted(accepted)
        return control
    }

    static func leaveAccepted() -> Wire.Control {
        var accepted = Wire.LeaveAccepted()
        accepted.worker = identity
        var control = Wire.Control()
        control.kind = .leaveAccepted(accepted)
        return control
    }
}

extension [WorkerSession.Outgoing] {
    /// The sequence numbers of each report frame, in order.
    var reportFrames: [[UInt64]] {
        compactMap {
            guard case .reports(let reports) = $0 else { return nil }
            return reports.map(\.sequence)
        }
    }

    /// Every report sent, in order, whichever frame it shares.
    var reportSequences: [UInt64] { reportFrames.flatMap { $0 } }

    var joins: [Wire.Join] {
        compactMap {
            guard case .message(.join(let join)) = $0 else { return nil }
            return join
        }
    }

    var heartbeats: [Wire.Heartbeat] {
        compactMap {
            guard case .message(.heartbeat(let heartbeat)) = $0 else { return nil }
            return heartbeat
        }
    }

    var leaves: [Wire.Leave] {
        compactMap {
            guard case .message(.leave(let leave)) = $0 else { return nil }
            return leave
        }
    }
}
