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
        if store?.hasPending == true { recordSignatureCounters() }
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

    /// Journals the signature counters of the joins, heartbeats and leaves taken in since
    /// the last call. Every commit that writes anyway carries them; the status tick calls
    /// this once a second besides, so heartbeats alone cost at most one more `fdatasync` a
    /// second rather than one per batch. Joins and leaves are answered, so their counters
    /// are durable before the answer leaves; a heartbeat taken in within the last second
    /// before a crash could be replayed once after it, renewing a lease and nothing more.
    func recordSignatureCounters() {
        // Taken every time, so that without a store they do not pile up.
        guard let counters = authenticator?.takeMembershipCounters(), store != nil,
            let change = state.signatureCountersChange(counters)
        else { return }
        try? state.apply(change, at: .now)
        record(change)
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
