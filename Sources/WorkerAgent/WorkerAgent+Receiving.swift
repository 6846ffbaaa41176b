import Curriculum
import CurriculumAuth
import CurriculumWire
import Logging
import NNG

/// What arrives from the coordinator: policies, acknowledgements, join and leave answers.
extension WorkerAgent {
    func receive(_ batch: [Message]) {
        for message in batch {
            message.withUnsafeBytes { receive($0) }
        }
    }

    func receive(_ frame: UnsafeRawBufferPointer) {
        let body: Wire.Envelope.OneOf_Body
        do {
            // Every ACKS frame names every worker that reported lately; only this one's
            // entries are decoded. Frames the fast reader leaves take the general decoder.
            if let acknowledgements = try AcksFrameDecoder.acknowledgements(in: frame, for: reportingWorker) {
                for acknowledgement in acknowledgements { acknowledge(acknowledgement) }
                return
            }
            // Policies, the other steady traffic, are read without SwiftProtobuf too.
            if let policy = try PolicyFrameDecoder.decode(frame) {
                return adopt(policy, authoritative: false)
            }
            body = try WireCodec.decode(frame)
        } catch {
            counters.malformedFrames += 1
            logger.warning("dropped a frame from the coordinator", metadata: ["reason": "\(error)"])
            return
        }
        switch body {
        case .policy(let published):
            adopt(PolicyFrame(published), authoritative: false)
        case .acks(let acks):
            for ack in acks.workers where ack.worker == identity {
                acknowledge(Acknowledgement(ack))
            }
        case .control(let control):
            handle(control)
        case .join, .report, .reportBatch, .heartbeat, .leave, .status:
            break
        }
    }

    func handle(_ control: Wire.Control) {
        switch control.kind {
        case .joinAccepted(let accepted) where accepted.worker == identity:
            if !joined {
                counters.joins += 1
                logger.info("joined", metadata: ["policy_version": "\(accepted.policy.version)"])
            }
            joined = true
            maximumReportsPerFrame = max(1, Int(accepted.maxReportsPerFrame))
            heartbeatInterval = .milliseconds(Int(max(accepted.heartbeatIntervalMs, 10)))
            // The join answer is authoritative: a coordinator that restarted
            // without its state may publish lower versions than the agent saw.
            adopt(PolicyFrame(accepted.policy), authoritative: true)
            acknowledge(Acknowledgement(contiguousThrough: accepted.contiguousThrough))
        case .joinRejected(let rejected) where rejected.worker == identity:
            logger.error("the coordinator rejected the join", metadata: ["reason": "\(rejected.reason)"])
            fail(.joinRejected(reason: rejected.reason))
        case .protocolMismatch(let mismatch) where mismatch.worker == identity:
            logger.error("no common protocol version", metadata: ["coordinator": "\(mismatch.supportedVersions)"])
            fail(.protocolMismatch(coordinatorSupports: mismatch.supportedVersions))
        case .leaveAccepted(let accepted) where accepted.worker == identity:
            leaveAccepted = true
        default:
            break
        }
    }

    func adopt(_ published: PolicyFrame, authoritative: Bool) {
        guard let next = PublishedPolicy(published) else {
            counters.malformedFrames += 1
            logger.warning("dropped a policy whose arrays differ in length", metadata: ["version": "\(published.version)"])
            return
        }
        if !authoritative, let policy, policy.version >= next.version { return }
        policy = next
        counters.policiesReceived += 1
        guard !policyWaiters.isEmpty else { return }
        for (id, waiter) in policyWaiters where waiter.after.map({ next.version > $0 }) ?? true {
            policyWaiters[id] = nil
            waiter.continuation.resume(returning: next)
        }
    }

    func acknowledge(_ ack: Acknowledgement) {
        let settled = outbox.acknowledge(ack, at: .now) { metrics.recordAcknowledgement(after: $0) }
        counters.reportsAcknowledged += UInt64(settled)
        counters.reportsRejectedByCoordinator = max(counters.reportsRejectedByCoordinator, ack.rejected)
        guard settled > 0, !outboxWaiters.isEmpty else { return }
        for (id, waiter) in outboxWaiters where outbox.count <= waiter.limit {
            outboxWaiters[id] = nil
            waiter.continuation.resume()
        }
    }

    /// A new connection to the coordinator: it may have restarted, so join again
    /// (which also brings the current policy) and resend what is pending now.
    func connected(broadcast: Bool) {
        let now = ContinuousClock.now
        if broadcast { joined = false }
        sendJoin(at: now)
        resendAllPending(at: now)
    }

    /// Sends every unacknowledged report now, the ones not sent yet among them.
    func resendAllPending(at now: ContinuousClock.Instant) {
        unsent.removeAll(keepingCapacity: true)
        outbox.expediteAll(at: now)
        retransmitDue(at: now)
    }
}
