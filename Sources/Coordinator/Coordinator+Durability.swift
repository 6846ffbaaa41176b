import Curriculum
import CurriculumAuth
import CurriculumWire
import Foundation
import Logging
import NNG

/// Making changes durable before anything that reflects them is sent.
extension Coordinator {
    func record(_ change: StateChange) {
        store?.append(change)
    }

    /// Makes every recorded change durable. Returns false if the disk refused: then
    /// nothing that reflects those changes may be sent, and the next commit retries.
    @discardableResult
    func commit() -> Bool {
        guard let store, store.hasPending else { return true }
        do {
            let started = ContinuousClock.now
            try store.commit(state)
            metrics.recordJournalCommit(.now - started)
            return true
        } catch {
            tally(.stateWriteFailure)
            logRateLimited("state_write_failed", "cannot save coordinator state; holding acknowledgements", error)
            return false
        }
    }

    /// Writes a snapshot so the next start replays nothing; on a clean stop.
    func saveSnapshot() {
        guard let store, commit() else { return }
        do {
            try store.compact(state)
        } catch {
            logger.error("cannot save a final snapshot", metadata: ["error": "\(error)"])
        }
    }

    /// Sends on the PUB socket without leaving the actor: a publisher never waits (nng
    /// drops from a full subscriber queue instead), so `trySend` always takes the frame.
    /// Whatever is sent reflects the state, so the state is made durable first.
    func broadcast(_ body: Wire.Envelope.OneOf_Body) {
        guard commit() else { return }
        do {
            let frame = try WireCodec.encode(body)
            metrics.recordBroadcast(bytes: frame.count)
            _ = try broadcaster.trySend(frame)
        } catch {
            logger.debug("broadcast failed", metadata: ["error": "\(error)"])
        }
    }
}
