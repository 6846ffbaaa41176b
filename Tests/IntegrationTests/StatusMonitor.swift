import CurriculumWire
import NNG
import Synchronization

/// Watches a coordinator from outside, as `curriculum status` does: one SUB socket dials its
/// broadcast and its status endpoint, records when each policy arrives and keeps the newest status.
final class StatusMonitor: Sendable {
    private struct State {
        var policyArrivals: [ContinuousClock.Instant] = []
        var versions: [UInt64] = []
        var status: Wire.Status?
    }

    private let socket: Socket
    private let state = Mutex(State())

    /// `tls` verifies a `tls+tcp://` endpoint's certificate.
    init(broadcastURL: String, statusURL: String, tls: TLSConfiguration? = nil) throws {
        socket = try Socket(.subscriber)
        try socket.subscribe(to: Topic.policy.bytes)
        try socket.subscribe(to: Topic.status.bytes)
        try socket.setReceiveBufferSize(8192)
        for url in [broadcastURL, statusURL] {
            try socket.dial(
                url, reconnect: ReconnectPolicy(minimum: .milliseconds(20)), tls: url.hasPrefix("tls+tcp://") ? tls : nil)
        }
        Task { await self.consume() }
    }

    /// Runs until stop() closes the socket, which ends the sequence.
    private func consume() async {
        do {
            for try await message in socket.messages {
                record(message.bytes, at: .now)
            }
        } catch {}
    }

    private func record(_ frame: [UInt8], at now: ContinuousClock.Instant) {
        switch try? WireCodec.decode(frame) {
        case .policy(let policy)?:
            state.withLock {
                $0.policyArrivals.append(now)
                $0.versions.append(policy.version)
            }
        case .status(let status)?:
            state.withLock { $0.status = status }
        default:
            break
        }
    }

    var status: Wire.Status? { state.withLock { $0.status } }

    /// Worker id -> state, from the newest status; an active incarnation wins over a replaced one.
    var memberStates: [String: String] {
        (status?.workers ?? []).reduce(into: [:]) { states, worker in
            if states[worker.worker.workerID] != "active" { states[worker.worker.workerID] = worker.state }
        }
    }

    /// The longest silence between consecutive policy broadcasts seen so far.
    var longestPolicyGap: Duration {
        state.withLock { state in
            zip(state.policyArrivals, state.policyArrivals.dropFirst()).map { $1 - $0 }.max() ?? .zero
        }
    }

    var versions: [UInt64] { state.withLock { $0.versions } }

    func stop() {
        socket.closeInBackground()
    }
}
