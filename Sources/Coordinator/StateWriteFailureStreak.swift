/// A run of state commits the disk refused, so that the coordinator says so once, and
/// again once a minute while it lasts, rather than once per commit: a coordinator under
/// load commits every few milliseconds, and a full disk would bury its log.
struct StateWriteFailureStreak {
    static let reminderInterval: Duration = .seconds(60)

    /// When the first refused commit of this streak happened; nil while commits succeed.
    private(set) var started: ContinuousClock.Instant?
    /// Refused commits in this streak.
    private(set) var failures: UInt64 = 0
    private var lastLogged: ContinuousClock.Instant?

    /// Counts a refused commit. True when it should be logged: the first of a streak, or
    /// the first after `reminderInterval` without a line.
    mutating func failed(at now: ContinuousClock.Instant) -> Bool {
        failures += 1
        if started == nil { started = now }
        if let lastLogged, now - lastLogged < Self.reminderInterval { return false }
        lastLogged = now
        return true
    }

    /// Ends the streak after a commit the disk took. Returns how many commits were
    /// refused and for how long, or nil when none was.
    mutating func succeeded(at now: ContinuousClock.Instant) -> (failures: UInt64, duration: Duration)? {
        guard let started else { return nil }
        let ended = (failures, now - started)
        self = StateWriteFailureStreak()
        return ended
    }
}
