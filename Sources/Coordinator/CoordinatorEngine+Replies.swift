import CurriculumWire

/// Where answers go. Protocol 2 answers each request on the connection it came in on, so a
/// worker receives its own acknowledgements and nothing about the rest of the fleet; a frame
/// that came without a way back (the version-1 reports socket) is answered on the broadcast.
extension CoordinatorEngine {
    /// The way back to a frame's sender.
    public enum ReplyRoute: Sendable, Hashable {
        /// No way back: answers go on the broadcast, acknowledgements at the acknowledgement
        /// cadence, coalesced.
        case broadcast
        /// A request, named by what the host received it with (a raw REP socket's backtrace,
        /// opaque to the engine): answered with exactly one reply, after the batch commits.
        case request([UInt8])
    }

    /// An answer to one request.
    public struct Reply: Sendable {
        /// What ``ReplyRoute/request(_:)`` named.
        public var route: [UInt8]
        public var body: Wire.Envelope.OneOf_Body
    }

    /// Answers the frame being handled: a reply to its request, or a broadcast.
    mutating func answer(_ body: Wire.Envelope.OneOf_Body) {
        switch route {
        case .broadcast: effects.messages.append(body)
        case .request(let header): effects.replies.append(Reply(route: header, body: body))
        }
    }

    /// Acknowledges the frame being handled with `key`'s acknowledgement state as it stands
    /// when the batch closes, so that one reply covers every report of the batch before it.
    mutating func acknowledge(_ key: WorkerKey) {
        switch route {
        case .broadcast: awaitingAcknowledgement.insert(key)
        case .request(let header): requestsAwaitingAcknowledgement.append((header, key))
        }
    }

    /// Replies to every request the batch acknowledges, each with one `WorkerAck`.
    mutating func replyWithAcknowledgements() {
        guard !requestsAwaitingAcknowledgement.isEmpty else { return }
        var acknowledgements: [WorkerKey: Wire.Acks] = [:]
        for (header, key) in requestsAwaitingAcknowledgement {
            let acks = acknowledgements[key] ?? {
                var acks = Wire.Acks()
                acks.workers = [acknowledgement(of: key)]
                acknowledgements[key] = acks
                return acks
            }()
            effects.replies.append(Reply(route: header, body: .acks(acks)))
        }
        requestsAwaitingAcknowledgement.removeAll(keepingCapacity: true)
    }

    /// What `key`'s reports have come to: the highest contiguous sequence, the ones above it
    /// received, and how many were refused.
    func acknowledgement(of key: WorkerKey) -> Wire.WorkerAck {
        var ack = Wire.WorkerAck()
        ack.worker = key.identity
        let ledger = state.acknowledgedLedger(for: key)
        ack.contiguousThrough = ledger.contiguousThrough
        ack.selective = ledger.selectiveAcknowledgements(limit: 1024)
        ack.rejected = state.rejectedByWorker[key] ?? 0
        return ack
    }
}
