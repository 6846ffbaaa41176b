import CurriculumWire
import Foundation
import NNG
import Synchronization

/// One lightweight worker identity: its own SUB socket on the broadcast and raw REQ socket on
/// the requests endpoint, speaking protocol version 2 as `WorkerAgent` does (join until
/// answered, report at a set rate, heartbeat, resend unacknowledged reports with a doubling
/// timeout, drain, leave until answered; every frame a request, answered on the same socket),
/// without the agent's policy cache, batch allocation, metrics and service machinery, so that
/// thousands fit in one process on 2 cores. The driver calls ``due(at:reporting:)`` on a tick
/// and ``send(_:)``s what it returns; two receive tasks handle the broadcast and the replies
/// (FleetIdentity+Receiving.swift).
final class FleetIdentity: Sendable {
    enum Phase: Sendable { case joining, running, draining, leaving, left }

    struct Pending {
        var report: ReportFrame
        let firstSent: ContinuousClock.Instant
        var due: ContinuousClock.Instant
        var attempt: Int
    }

    struct State {
        var phase = Phase.joining
        var nextJoin: ContinuousClock.Instant
        var nextReport: ContinuousClock.Instant
        var nextHeartbeat: ContinuousClock.Instant
        var nextLeave: ContinuousClock.Instant
        var heartbeatInterval = Duration.seconds(2)
        var policyVersion: UInt64 = 0
        var nextSequence: UInt64 = 1
        var outbox: [UInt64: Pending] = [:]
        /// Every frame received, by socket and topic.
        var received = ReceivedBytes()
        var retransmissions = 0
        /// Requests the send queue was full for (dropped; the outbox or the join/leave
        /// repeat sends them again).
        var sendsRefused = 0
        /// Requests the send queue took, and replies received. The coordinator answers a
        /// worker's reports and heartbeats of one acknowledgement interval with one reply, so
        /// the difference is requests answered by a later reply plus replies lost on the way.
        var requestsSent = 0
        var repliesReceived = 0
        var requestIDs = RequestIDs()

        /// The lowest sequence this identity may still send (protocol section 5).
        var resendFloor: UInt64 { outbox.keys.min() ?? nextSequence }
    }

    let index: Int
    let worker: ReportFrame.Worker
    let plan: ReportPlan
    let stats: FleetStats
    let subscriber: Socket
    let requester: Socket
    let state: Mutex<State>

    /// The first resend timeout and its cap, as the protocol recommends (section 5).
    static let firstTimeout = Duration.milliseconds(250)
    static let maximumTimeout = Duration.seconds(5)
    static let joinRepeat = Duration.milliseconds(250)

    init(index: Int, plan: ReportPlan, stats: FleetStats, endpoints: FleetEndpoints) throws {
        self.index = index
        self.worker = ReportFrame.Worker(workerID: "fleet-\(index)", incarnation: UInt64.random(in: 1...UInt64.max))
        self.plan = plan
        self.stats = stats
        let now = ContinuousClock.now
        state = Mutex(State(nextJoin: now, nextReport: now, nextHeartbeat: now, nextLeave: now))
        subscriber = try Socket(.subscriber)
        requester = try Socket(.requester, raw: true)
        // Everything the coordinator publishes reaches every subscriber's host before SUB
        // filters it; subscribing to all of it counts those bytes without changing them.
        try subscriber.subscribe(to: [UInt8]())
        for socket in [subscriber, requester] {
            try socket.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize)
        }
        // As WorkerAgent has them: policies 16 deep (the oldest dropped first), replies 1,024
        // deep, since they wait there while the identity's receive task is behind (the
        // default depth dropped 449,563 of 557,525 replies at 2,000 identities in one run).
        try subscriber.setReceiveBufferSize(16)
        try requester.setReceiveBufferSize(1024)
        // A few frames a second: the agent's 8,192-frame queue would cost 64 KB per identity.
        try requester.setSendBufferSize(256)
        let reconnect = ReconnectPolicy(minimum: .milliseconds(100), maximum: .seconds(2))
        try subscriber.dial(endpoints.broadcast, reconnect: reconnect)
        try requester.dial(endpoints.requests, reconnect: reconnect)
    }

    /// The frames due at `now`, state advanced as if they were sent.
    func due(at now: ContinuousClock.Instant, reporting: Bool) -> [[UInt8]] {
        state.withLock { state in
            var frames: [[UInt8]] = []
            switch state.phase {
            case .joining:
                if now >= state.nextJoin {
                    frames.append(joinFrame())
                    state.nextJoin = now + Self.joinRepeat
                }
            case .running, .draining:
                if state.phase == .running, reporting, now >= state.nextReport {
                    frames.append(newReport(&state, now: now))
                    state.nextReport = state.nextReport + plan.interval
                }
                if state.phase == .draining, state.outbox.isEmpty {
                    state.phase = .leaving
                }
                frames += resends(&state, now: now)
                if now >= state.nextHeartbeat {
                    frames.append(heartbeatFrame(state))
                    state.nextHeartbeat = now + state.heartbeatInterval
                }
            case .leaving:
                if now >= state.nextLeave {
                    frames.append(leaveFrame(lastSequence: state.nextSequence - 1))
                    state.nextLeave = now + Self.joinRepeat
                }
            case .left:
                break
            }
            return frames
        }
    }

    /// Sends `frames` as requests, each with the next request ID as its SP header (4 bytes,
    /// big-endian, high bit set), without waiting: a full send queue drops the frame, counted
    /// in ``State/sendsRefused``, and the identity's resend logic sends it again.
    func send(_ frames: [[UInt8]]) {
        for frame in frames {
            let header = state.withLock { $0.requestIDs.nextHeader() }
            // Throws only once the socket is closed, at shutdown: nothing left to count.
            let taken = (try? requester.trySend(frame, header: header)) ?? true
            state.withLock { if taken { $0.requestsSent += 1 } else { $0.sendsRefused += 1 } }
        }
    }

    /// Stops making reports; the identity leaves once every report is acknowledged.
    func drain() {
        state.withLock { if $0.phase == .running { $0.phase = .draining } }
    }

    var phase: Phase { state.withLock { $0.phase } }

    func close() {
        subscriber.closeInBackground()
        requester.closeInBackground()
    }

    private func newReport(_ state: inout State, now: ContinuousClock.Instant) -> [UInt8] {
        let sequence = state.nextSequence
        state.nextSequence += 1
        var report = plan.report(identity: index, sequence: sequence, policyVersion: state.policyVersion)
        report.worker = worker
        report.resendFloor = state.outbox.keys.min() ?? sequence
        stats.reportMade(report)
        state.outbox[sequence] = Pending(report: report, firstSent: now, due: now + Self.jittered(Self.firstTimeout), attempt: 1)
        return ReportFrameEncoder.encode(report)
    }

    private func resends(_ state: inout State, now: ContinuousClock.Instant) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let floor = state.resendFloor
        for (sequence, pending) in state.outbox where now >= pending.due {
            var report = pending.report
            report.resendFloor = floor
            let timeout = min(Self.firstTimeout * (1 << min(pending.attempt, 5)), Self.maximumTimeout)
            state.outbox[sequence] = Pending(
                report: report, firstSent: pending.firstSent, due: now + Self.jittered(timeout), attempt: pending.attempt + 1)
            state.retransmissions += 1
            frames.append(ReportFrameEncoder.encode(report))
        }
        return frames
    }

    /// +-25% jitter, as the protocol recommends, so a fleet's resends do not line up.
    private static func jittered(_ timeout: Duration) -> Duration {
        timeout * Double.random(in: 0.75...1.25)
    }

    private var identity: Wire.WorkerIdentity {
        Wire.WorkerIdentity(workerID: worker.workerID, incarnation: worker.incarnation)
    }

    private func joinFrame() -> [UInt8] {
        var join = Wire.Join()
        join.worker = identity
        join.supportedVersions = WireCodec.supportedVersions
        join.stepShare = plan.stepShare
        join.hostname = "fleetbench"
        join.categories = plan.categories
        return WireCodec.encode(.join(join))
    }

    private func heartbeatFrame(_ state: State) -> [UInt8] {
        var heartbeat = Wire.Heartbeat()
        heartbeat.worker = identity
        heartbeat.policyVersion = state.policyVersion
        heartbeat.unacknowledged = UInt64(state.outbox.count)
        heartbeat.resendFloor = state.resendFloor
        return WireCodec.encode(.heartbeat(heartbeat))
    }

    private func leaveFrame(lastSequence: UInt64) -> [UInt8] {
        var leave = Wire.Leave()
        leave.worker = identity
        leave.lastSequence = lastSequence
        return WireCodec.encode(.leave(leave))
    }
}
