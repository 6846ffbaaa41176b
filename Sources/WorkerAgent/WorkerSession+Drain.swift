import CurriculumWire

/// Leaving: every report acknowledged first, then a leave repeated until the coordinator confirms it.
extension WorkerSession {
    /// Where a drain stands.
    enum DrainProgress: Sendable, Equatable {
        /// Reports still await acknowledgement; the timers keep retransmitting them.
        case awaitingAcknowledgements(Int)
        /// Everything is acknowledged; the leave is not confirmed yet.
        case leaving
        /// Everything is acknowledged and the coordinator confirmed the leave.
        case finished
    }

    /// Refuses further reports and joins, and sends everything pending at once.
    mutating func beginDrain(at now: ContinuousClock.Instant) -> [Outgoing] {
        draining = true
        return resendAllPending(at: now)
    }

    var drainProgress: DrainProgress {
        if !outbox.isEmpty { return .awaitingAcknowledgements(outbox.count) }
        return leaveAccepted ? .finished : .leaving
    }

    /// The leave, once every report is acknowledged, repeated every join-retry interval until
    /// the coordinator confirms it.
    mutating func leave(at now: ContinuousClock.Instant) -> [Outgoing] {
        guard drainProgress == .leaving,
            lastLeaveSent.map({ now - $0 >= settings.joinRetryInterval }) ?? true
        else { return [] }
        lastLeaveSent = now
        var leave = Wire.Leave()
        leave.worker = settings.identity
        leave.lastSequence = outbox.nextSequence - 1
        return [.message(.leave(leave))]
    }
}
