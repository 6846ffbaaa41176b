import CurriculumWire
import Foundation
import NNG

extension FleetIdentity {
    /// The four topics as `UInt32`s in memory order, to classify a frame without copying it.
    private static let topicsByPrefix: [(UInt32, Topic)] = Topic.allCases.map { topic in
        (topic.bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }, topic)
    }

    /// The socket a frame came on.
    enum Channel { case broadcast, replies }

    /// Reads the broadcast socket until it is closed.
    func receiveBroadcast() async { await receive(from: subscriber, channel: .broadcast) }

    /// Reads the replies to this identity's requests until the socket is closed. nng has
    /// moved each reply's request ID into the message header; the body is a frame.
    func receiveReplies() async { await receive(from: requester, channel: .replies) }

    private func receive(from socket: Socket, channel: Channel) async {
        do {
            for try await message in socket.messages {
                message.withUnsafeBytes { handle($0, on: channel) }
            }
        } catch {
            // Closed at the end of the run, or cancelled: nothing more to count.
        }
    }

    private func handle(_ frame: UnsafeRawBufferPointer, on channel: Channel) {
        guard frame.count >= Topic.byteCount else { return }
        let prefix = frame.loadUnaligned(as: UInt32.self)
        guard let topic = Self.topicsByPrefix.first(where: { $0.0 == prefix })?.1 else { return }
        state.withLock { state in
            switch channel {
            case .broadcast: state.received.broadcast[topic, default: 0] += frame.count
            case .replies:
                state.received.replies[topic, default: 0] += frame.count
                state.repliesReceived += 1
            }
        }
        switch topic {
        case .policy: policy(frame)
        case .acks: acks(frame)
        case .control: control(frame)
        default: break
        }
    }

    private func policy(_ frame: UnsafeRawBufferPointer) {
        guard let policy = try? PolicyFrameDecoder.decode(frame) else { return }
        let nowMs = Date().timeIntervalSince1970 * 1000
        stats.policyArrived(delayMs: nowMs - Double(policy.issuedAtMs))
        state.withLock { $0.policyVersion = max($0.policyVersion, policy.version) }
    }

    /// An ACKS reply holds this identity's one entry; one with nothing outstanding (a reply
    /// to a heartbeat) changes nothing, so it is not read.
    private func acks(_ frame: UnsafeRawBufferPointer) {
        guard !state.withLock({ $0.outbox.isEmpty }) else { return }
        guard let acknowledgements = try? AcksFrameDecoder.acknowledgements(in: frame, for: worker),
            !acknowledgements.isEmpty
        else { return }
        let now = ContinuousClock.now
        let latencies = state.withLock { state in
            acknowledgements.flatMap { settle($0, in: &state, now: now) }
        }
        stats.acknowledged(latenciesMs: latencies)
    }

    /// Removes what `acknowledgement` covers from the outbox; the latencies since first sent.
    private func settle(
        _ acknowledgement: Acknowledgement, in state: inout State, now: ContinuousClock.Instant
    ) -> [Double] {
        let covered = state.outbox.keys.filter {
            $0 <= acknowledgement.contiguousThrough || acknowledgement.selective.contains($0)
        }
        return covered.compactMap { sequence in
            state.outbox.removeValue(forKey: sequence).map { (now - $0.firstSent).seconds * 1000 }
        }
    }

    /// Join and leave answers concern an identity only while it waits for one.
    private func control(_ frame: UnsafeRawBufferPointer) {
        let phase = self.phase
        guard phase == .joining || phase == .leaving,
            case .control(let control)? = try? WireCodec.decode(frame)
        else { return }
        let me = Wire.WorkerIdentity(workerID: worker.workerID, incarnation: worker.incarnation)
        switch control.kind {
        case .joinAccepted(let accepted) where accepted.worker == me:
            let now = ContinuousClock.now
            state.withLock { state in
                guard state.phase == .joining else { return }
                state.phase = .running
                state.policyVersion = max(state.policyVersion, accepted.policy.version)
                state.heartbeatInterval = .milliseconds(Int64(max(accepted.heartbeatIntervalMs, 100)))
                state.nextHeartbeat = now + state.heartbeatInterval
                // A random phase spreads the fleet's reports over the interval.
                state.nextReport = now + plan.interval * Double.random(in: 0..<1)
            }
        case .leaveAccepted(let accepted) where accepted.worker == me:
            state.withLock { $0.phase = .left }
        case .joinRejected(let rejected) where rejected.worker == me:
            FileHandle.standardError.write(Data("\(worker.workerID): join rejected: \(rejected.reason)\n".utf8))
        case .protocolMismatch(let mismatch) where mismatch.worker == me:
            FileHandle.standardError.write(Data("\(worker.workerID): protocol mismatch \(mismatch)\n".utf8))
        default:
            break
        }
    }
}
