import CurriculumAuth
import CurriculumWire

/// Decoding and signature checks: from a frame's bytes to the handler of its message.
extension CoordinatorEngine {
    /// Handles one frame from a worker as part of the batch ``finishBatch(at:)`` closes;
    /// its answers go back along `route`. Never throws: whatever is wrong with the frame is
    /// counted, logged, and answered when the sender can be named.
    public mutating func receive(_ frame: UnsafeRawBufferPointer, from route: ReplyRoute, at now: Moment) {
        self.route = route
        tally(.frameReceived)
        let body: Wire.Envelope.OneOf_Body
        do {
            // Reports, nearly all the traffic, are read without SwiftProtobuf; anything the
            // fast decoder does not handle takes the general one, which accepts and refuses
            // the same frames, signed or not.
            if authenticator == nil {
                if let reports = try ReportFrameDecoder.decode(frame, maximumFrameSize: configuration.maximumFrameSize) {
                    return receive(reports, at: now)
                }
            } else if let signed = try ReportFrameDecoder.decodeSigned(
                frame, maximumFrameSize: configuration.maximumFrameSize)
            {
                let sender = signed.reports.first?.worker
                if let failure = authenticator?.check(
                    frame, authentication: signed.authentication, sender: sender.map(WorkerKey.init),
                    nowMs: now.wallClockMs)
                {
                    return reject(.authentication(failure, claimedWorker: sender.map { WorkerKey($0).identity }))
                }
                tally(.frameAuthenticated)
                return receive(signed.reports, at: now)
            }
            let envelope = try WireCodec.decodeEnvelope(frame, maximumFrameSize: configuration.maximumFrameSize)
            if let failure = authenticator?.check(frame, envelope: envelope, nowMs: now.wallClockMs) {
                return reject(.authentication(failure, claimedWorker: envelope.sender))
            }
            if authenticator != nil { tally(.frameAuthenticated) }
            // decodeEnvelope returns only envelopes with a body.
            body = envelope.body!
        } catch {
            reject(.wire(error))
            if case .unsupportedProtocolVersion(let received, let sender?) = error, authenticator?.isSigned(frame) ?? true {
                var mismatch = Wire.ProtocolMismatch()
                mismatch.worker = sender
                mismatch.receivedVersion = received
                mismatch.supportedVersions = WireCodec.supportedVersions
                var control = Wire.Control()
                control.kind = .protocolMismatch(mismatch)
                answer(.control(control))
            }
            return
        }
        switch body {
        case .report(let report):
            receive([ReportFrame(report)], at: now)
        case .reportBatch(let batch):
            receive(batch.reports.map(ReportFrame.init), at: now)
        case .join(let join):
            handle(join, at: now)
        case .heartbeat(let heartbeat):
            handle(heartbeat, at: now)
        case .leave(let leave):
            handle(leave, at: now)
        case .policy, .acks, .control, .status:
            reject(.unexpectedTopic(Topic(for: body)))
        }
    }

    /// One frame as a batch of its own: ``receive(_:from:at:)`` then ``finishBatch(at:)``.
    public mutating func receive(
        frame: [UInt8], from route: ReplyRoute = .broadcast, at now: Moment
    ) -> CoordinatorEffects {
        frame.withUnsafeBytes { receive($0, from: route, at: now) }
        return finishBatch(at: now)
    }

    /// The identity a worker message names, or nil (refused) when it names none.
    mutating func workerKey(_ key: WorkerKey?, _ topic: Topic) -> WorkerKey? {
        guard let key, !key.workerID.isEmpty else {
            reject(.missingWorkerIdentity(topic))
            return nil
        }
        return key
    }

    mutating func workerKey(_ identity: Wire.WorkerIdentity?, _ topic: Topic) -> WorkerKey? {
        workerKey(identity.map(WorkerKey.init), topic)
    }
}
