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
        guard commit() else { return }
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
    @discardableResult
    func commit() -> Bool {
        guard let store, store.hasPending else { return true }
        do {
            let started = ContinuousClock.now
            try store.commit(engine.state)
            metrics.recordJournalCommit(.now - started)
            return true
        } catch {
            engine.noteStateWriteFailure()
            logRateLimited("state_write_failed", "cannot save coordinator state; holding acknowledgements", error)
            return false
        }
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

    /// Sends on the PUB socket without leaving the actor: a publisher never waits (nng
    /// drops from a full subscriber queue instead), so `trySend` always takes the frame.
    func broadcast(_ body: Wire.Envelope.OneOf_Body) {
        do {
            let frame = WireCodec.encode(body)
            metrics.recordBroadcast(bytes: frame.count)
            _ = try broadcaster.trySend(frame)
        } catch {
            logger.debug("broadcast failed", metadata: ["error": "\(error)"])
        }
    }
}
