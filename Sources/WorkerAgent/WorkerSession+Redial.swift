/// A connection nng does not bring back.
///
/// nng redials a lost coordinator by itself, and nearly always that is enough. But in a
/// soak that SIGKILLs and restarts the coordinator every minute, one worker in 18 restarts
/// never reached the new coordinator again: not one frame of it arrived, while every other
/// worker reconnected (libnng 1.5.2; the dialer's own retries did not recover it). The
/// remedy needs no diagnosis of which side wedged: when the coordinator has been silent
/// (its policy alone goes out every second) or a join has gone unanswered for
/// `settings.redialAfter`, the agent closes its dialers and dials both endpoints anew, at
/// most once per that interval. While the coordinator is really down this only repeats
/// what nng is doing anyway.
extension WorkerSession {
    /// A frame arrived from the coordinator.
    mutating func heardFromCoordinator(at now: ContinuousClock.Instant) {
        lastHeard = now
    }

    /// Whether the agent should dial both endpoints anew now; if so, the clocks restart
    /// as if it just had.
    mutating func redialDue(at now: ContinuousClock.Instant) -> Bool {
        guard !leaveAccepted else { return false }
        guard let heard = lastHeard else {
            lastHeard = now
            return false
        }
        let silent = now - heard >= settings.redialAfter
        let joinStuck = unansweredJoinSince.map { now - $0 >= settings.redialAfter } ?? false
        guard silent || joinStuck else { return false }
        lastHeard = now
        if unansweredJoinSince != nil { unansweredJoinSince = now }
        counters.redials += 1
        return true
    }
}
