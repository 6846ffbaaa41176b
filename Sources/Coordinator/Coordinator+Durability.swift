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
    /// A run of refusals is logged once (and once a minute while it lasts), and its end once.
    @discardableResult
    func commit() -> Bool {
        if store?.hasPending == true { recordSignatureCounters() }
        guard let store, store.hasPending else { return true }
        do {
            let started = ContinuousClock.now
            try store.commit(state)
            metrics.recordJournalCommit(.now - started)
            if let streak = store.writeFailures.succeeded(at: .now) {
                logger.notice("coordinator state saved again: acknowledgements and new policies resume", metadata: [
                    "state": "\(store.directory)", "failed_commits": "\(streak.failures)", "lasted_ms": "\(streak.duration.milliseconds)",
                ])
            }
            return true
        } catch {
            tally(.stateWriteFailure)
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
    ///
    /// While the disk refuses commits, a policy broadcast repeats the newest policy frame
    /// sent from durable state instead: workers (and any that join meanwhile) keep drawing
    /// from it, and a coordinator that crashes now restarts at that version or later, so
    /// no worker holds a version the restarted coordinator never reached.
    func broadcast(_ body: Wire.Envelope.OneOf_Body) {
        guard commit() else {
            if case .policy = body, let frame = store?.lastDurablePolicyFrame { send(frame) }
            return
        }
        let frame = WireCodec.encode(body)
        if case .policy = body, let store { store.lastDurablePolicyFrame = frame }
        send(frame)
    }

    private func send(_ frame: [UInt8]) {
        metrics.recordBroadcast(bytes: frame.count)
        do {
            _ = try broadcaster.trySend(frame)
        } catch {
            logger.debug("broadcast failed", metadata: ["error": "\(error)"])
        }
    }
}
