import CurriculumWire
import Logging
import NNG

/// Carrying out what the engine answers: changes made durable before anything that
/// reflects them is sent.
extension Coordinator {
    /// Journals the engine's changes, commits them, and only then sends its messages;
    /// logs its events and records its measurements.
    func perform(_ effects: CoordinatorEffects) {
        if let store {
            for change in effects.changes { store.append(change) }
        }
        for staleness in effects.mergedStaleness { metrics.recordStaleness(staleness) }
        for event in effects.events { log(event) }
        // Whatever is sent reflects the state, so the state is made durable first.
        guard commit() else {
            repeatDurablePolicy(ifAny: effects.messages)
            return
        }
        for reply in effects.replies { send(reply) }
        for message in effects.messages {
            broadcast(message)
            switch message {
            case .policy(let policy): updateGaugesIfDue(for: policy, at: .now)
            case .status: updateWorkerGauges()
            default: break
            }
        }
    }

    /// Makes every journaled change durable. Returns false if the disk refused: then
    /// nothing that reflects those changes may be sent, and the next commit retries.
    /// A run of refusals is logged once (and once a minute while it lasts), and its end once.
    @discardableResult
    func commit() -> Bool {
        guard let store, store.hasPending else { return true }
        do {
            let started = ContinuousClock.now
            try store.commit(engine.state)
            metrics.recordJournalCommit(.now - started)
            if let streak = store.writeFailures.succeeded(at: .now) {
                logger.notice("coordinator state saved again: acknowledgements and new policies resume", metadata: [
                    "state": "\(store.directory)", "failed_commits": "\(streak.failures)",
                    "lasted_ms": "\(streak.duration.milliseconds)",
                ])
            }
            return true
        } catch {
            engine.noteStateWriteFailure()
            if store.writeFailures.failed(at: .now) {
                logger.error(
                    "cannot save coordinator state: holding acknowledgements and repeating the last saved policy until the disk takes writes again",
                    metadata: [
                        "state": "\(store.directory)", "error": "\(error)",
                        "failed_commits": "\(store.writeFailures.failures)",
                    ])
            }
            return false
        }
    }

    /// While the disk refuses commits, a policy broadcast repeats the newest policy frame
    /// sent from durable state instead: workers (and any that join meanwhile) keep drawing
    /// from it, and a coordinator that crashes now restarts at that version or later, so
    /// no worker holds a version the restarted coordinator never reached.
    private func repeatDurablePolicy(ifAny messages: [Wire.Envelope.OneOf_Body]) {
        guard messages.contains(where: { if case .policy = $0 { true } else { false } }),
            let frame = store?.lastDurablePolicyFrame
        else { return }
        send(frame)
    }

    /// Writes a snapshot so the next start replays nothing; on a clean stop.
    func saveSnapshot() {
        guard let store, commit() else { return }
        do {
            try store.compact(engine.state)
        } catch {
            logger.error("cannot save a final snapshot", metadata: ["error": "\(error)"])
        }
    }

    /// Encodes and sends, status on its own socket; a policy frame is kept as the newest
    /// sent from durable state.
    func broadcast(_ body: Wire.Envelope.OneOf_Body) {
        let frame = WireCodec.encode(body)
        if case .policy = body, let store { store.lastDurablePolicyFrame = frame }
        if case .status = body {
            publish(frame, on: statusPublisher)
        } else {
            send(frame)
        }
    }

    private func send(_ frame: [UInt8]) {
        publish(frame, on: broadcaster)
    }

    /// Sends on a PUB socket without leaving the actor: a publisher never waits (nng
    /// drops from a full subscriber queue instead), so `trySend` always takes the frame.
    private func publish(_ frame: [UInt8], on socket: Socket) {
        metrics.recordBroadcast(bytes: frame.count)
        do {
            _ = try socket.trySend(frame)
        } catch {
            logger.debug("broadcast failed", metadata: ["error": "\(error)"])
        }
    }

    /// Answers one request. A raw REP socket queues the reply for its worker's connection
    /// and never waits; one it cannot queue is dropped, and the worker's resend brings
    /// the answer again.
    private func send(_ reply: CoordinatorEngine.Reply) {
        let frame = WireCodec.encode(reply.body)
        metrics.recordReply(bytes: frame.count)
        do {
            _ = try requests.trySend(frame, header: reply.route)
        } catch {
            logger.debug("reply failed", metadata: ["error": "\(error)"])
        }
    }
}
