import Curriculum
import CurriculumAuth
import CurriculumWire
import Logging
import NNG

/// What arrives from the coordinator: policies on the broadcast; acknowledgements, join and
/// leave answers as replies to this worker's requests.
extension WorkerAgent {
    func receive(_ batch: [Message]) {
        let now = ContinuousClock.now
        session.heardFromCoordinator(at: now)
        for message in batch {
            message.withUnsafeBytes { receive($0, at: now) }
        }
    }

    func receive(_ frame: UnsafeRawBufferPointer, at now: ContinuousClock.Instant) {
        let body: Wire.Envelope.OneOf_Body
        do {
            // Acknowledgements, the steady replies, skip SwiftProtobuf; only this worker's entries
            // are decoded. Frames the fast reader leaves take the general decoder.
            if let acknowledgements = try AcksFrameDecoder.acknowledgements(in: frame, for: session.reportingWorker) {
                for acknowledgement in acknowledgements { acknowledge(acknowledgement, at: now) }
                return
            }
            // Policies, the other steady traffic, are read without SwiftProtobuf too.
            if let policy = try PolicyFrameDecoder.decode(frame) {
                return adopt(policy, authoritative: false)
            }
            body = try WireCodec.decode(frame)
        } catch {
            session.counters.malformedFrames += 1
            logger.warning("dropped a frame from the coordinator", metadata: ["reason": "\(error)"])
            return
        }
        switch body {
        case .policy(let published):
            adopt(PolicyFrame(published), authoritative: false)
        case .acks(let acks):
            for ack in acks.workers where ack.worker == identity {
                acknowledge(Acknowledgement(ack), at: now)
            }
        case .control(let control):
            handle(control, at: now)
        case .join, .report, .reportBatch, .heartbeat, .leave, .status:
            break
        }
    }

    func handle(_ control: Wire.Control, at now: ContinuousClock.Instant) {
        switch session.handle(control, at: now) {
        case .joined(let policy, let first, let settled):
            if first { logger.info("joined", metadata: ["policy_version": "\(policy.version)"]) }
            adopt(policy, authoritative: true)
            if settled > 0 { wakeOutboxWaiters() }
        case .failed(let error):
            logger.error("\(error)")
            fail(error)
        case .leaveAccepted, .ignored:
            break
        }
    }

    func adopt(_ published: PolicyFrame, authoritative: Bool) {
        guard let next = PublishedPolicy(published) else {
            session.counters.malformedFrames += 1
            logger.warning("dropped a policy whose arrays differ in length", metadata: ["version": "\(published.version)"])
            return
        }
        if !authoritative, let policy, policy.version >= next.version { return }
        policy = next
        session.counters.policiesReceived += 1
        wakePolicyWaiters(with: next)
    }

    func acknowledge(_ ack: Acknowledgement, at now: ContinuousClock.Instant) {
        let settled = session.acknowledge(
            ack, at: now, timing: metrics.isEnabled ? { [metrics] in metrics.recordAcknowledgement(after: $0) } : nil)
        if settled > 0 { wakeOutboxWaiters() }
    }
}
