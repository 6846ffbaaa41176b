import Curriculum
import CurriculumAuth
import CurriculumWire

/// What the coordinator shows: the policy workers draw from, totals, members, status.
extension Coordinator {
    /// The distribution workers draw from now.
    public func distribution() -> CurriculumDistribution {
        engine.distribution()
    }

    /// Exact sums of every merged report, by category.
    public var totals: [String: CategoryTotals] {
        engine.state.curriculum.totals
    }

    public var members: [Membership.Member] {
        engine.members
    }

    /// The status once the coordinator has recovered its state and listens; nil before.
    /// What `/readyz` and `/api/status` serve.
    public func statusIfReady() -> Wire.Status? {
        endpoints == nil ? nil : status()
    }

    /// What `curriculum status` shows.
    public func status(at now: ContinuousClock.Instant = .now) -> Wire.Status {
        engine.status(at: CoordinatorEngine.Moment(instant: now, wallClockMs: WallClock.milliseconds()))
    }
}
