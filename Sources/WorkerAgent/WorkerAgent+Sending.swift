import Curriculum
import CurriculumAuth
import CurriculumWire
import Logging
import NNG

/// What the agent sends, and when: joins, heartbeats, reports in frames, retransmissions.
extension WorkerAgent {
    func tick(at now: ContinuousClock.Instant) {
        if !joined, lastJoinSent.map({ now - $0 >= configuration.joinRetryInterval }) ?? true {
            sendJoin(at: now)
        }
        if joined, lastHeartbeatSent.map({ now - $0 >= heartbeatInterval }) ?? true {
            lastHeartbeatSent = now
            var heartbeat = Wire.Heartbeat()
            heartbeat.worker = identity
            heartbeat.policyVersion = policy?.version ?? 0
            heartbeat.unacknowledged = UInt64(outbox.count)
            heartbeat.resendFloor = outbox.resendFloor
            send(.heartbeat(heartbeat))
        }
        retransmitDue(at: now)
    }

    func sendJoin(at now: ContinuousClock.Instant) {
        guard !draining else { return }
        lastJoinSent = now
        var join = Wire.Join()
        join.worker = identity
        join.supportedVersions = WireCodec.supportedVersions
        join.stepShare = configuration.stepShare
        join.hostname = configuration.hostname
        join.categories = categories
        send(.join(join))
    }

    func retransmitDue(at now: ContinuousClock.Instant) {
        let due = outbox.due(at: now)
        counters.retransmissions += UInt64(due.count)
        send(due)
    }

    /// Sends the reports queued since the last flush that are still unacknowledged.
    func flush() {
        guard !unsent.isEmpty else { return }
        let reports = unsent.filter { outbox.isPending($0.sequence) }
        unsent.removeAll(keepingCapacity: true)
        send(reports)
    }

    /// Sends `reports` in order, in as few frames as the coordinator's per-frame limit and
    /// the byte budget allow.
    func send(_ reports: [ReportFrame]) {
        var start = reports.startIndex
        while start < reports.endIndex {
            var end = start + 1
            var bytes = ReportFrameEncoder.batchedSize(of: reports[start])
            while end < reports.endIndex, end - start < maximumReportsPerFrame {
                bytes += ReportFrameEncoder.batchedSize(of: reports[end])
                guard bytes <= Self.batchByteBudget else { break }
                end += 1
            }
            send(frameOf: Array(reports[start..<end]))
            start = end
        }
    }

    func send(_ body: Wire.Envelope.OneOf_Body) {
        send(frame: WireCodec.encode(body))
    }

    /// Reports, the bulk of what an agent sends, skip SwiftProtobuf: the same bytes, cheaper,
    /// written straight into nng's message unless they are to be signed.
    func send(frameOf reports: [ReportFrame]) {
        counters.reportFramesSent += 1
        guard signer == nil else { return send(frame: ReportFrameEncoder.encode(reports)) }
        do {
            _ = try publisher.trySend(byteCount: ReportFrameEncoder.frameSize(of: reports)) {
                ReportFrameEncoder.write(reports, into: $0)
            }
        } catch {
            // A publisher only fails once closed; the outbox still holds the report.
            logger.debug("send failed", metadata: ["error": "\(error)"])
        }
    }

    /// Sends on the PUB socket without leaving the actor: a publisher never waits (nng
    /// drops from a full queue instead), so `trySend` always takes the frame. Signs it
    /// first when the configuration has a key, retransmissions too.
    func send(frame unsigned: [UInt8]) {
        let frame = signer?.sign(unsigned) ?? unsigned
        do {
            _ = try publisher.trySend(frame)
        } catch {
            // A publisher only fails once closed; the outbox still holds the report.
            logger.debug("send failed", metadata: ["error": "\(error)"])
        }
    }
}
