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
        /// opaque to the engine): answered by a reply once the changes it caused are durable.
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
    /// when its acknowledgement next goes out: with the batch, unless `key` was answered less
    /// than an acknowledgement interval ago, then with the first batch or tick after that.
    ///
    /// Acknowledgements are cumulative, so one reply per worker and interval, to its newest
    /// request, answers every report and heartbeat it sent in that time; a raw REQ socket
    /// needs no reply per request. A reply per request cost IngestBench's floods of reports a
    /// third of their rate (2,300 replies a second from one agent, each a trip through nng's
    /// locks and a wake-up), against one per 5 ms. The interval is kept per worker, not for
    /// the whole fleet: with one interval for all, 2,000 FleetBench workers (a report each
    /// every 2 s, so about one per batch) mostly waited for the tick, p99 138-152 ms against
    /// 68 ms answered with their batch.
    mutating func acknowledge(_ key: WorkerKey) {
        switch route {
        case .broadcast: awaitingAcknowledgement.insert(key)
        case .request(let header): requestsAwaitingAcknowledgement[key] = header
        }
    }

    /// Replies to the newest acknowledged request of each worker not answered within the
    /// last acknowledgement interval, with its one `WorkerAck`; the others wait.
    mutating func replyWithAcknowledgementsDue(at now: Moment) {
        guard !requestsAwaitingAcknowledgement.isEmpty else { return }
        var waiting: [WorkerKey: [UInt8]] = [:]
        for (key, header) in requestsAwaitingAcknowledgement {
            if let last = lastAcknowledgementReply[key], now.instant - last < configuration.acknowledgementInterval {
                waiting[key] = header
                continue
            }
            lastAcknowledgementReply[key] = now.instant
            var acks = Wire.Acks()
            acks.workers = [acknowledgement(of: key)]
            effects.replies.append(Reply(route: header, body: .acks(acks)))
        }
        requestsAwaitingAcknowledgement = waiting
    }

    /// Forgets the workers answered an acknowledgement interval ago or longer: their next
    /// request is answered with its batch.
    mutating func forgetAcknowledgementRepliesBefore(_ now: Moment) {
        lastAcknowledgementReply = lastAcknowledgementReply.filter { now.instant - $0.value < configuration.acknowledgementInterval }
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
