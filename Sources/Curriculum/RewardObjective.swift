/// Which scalar a report contributes to an arm whose policy learns from one reward per update.
public enum RewardObjective: String, Sendable, Hashable, Codable, CaseIterable {
    /// SEC's "adv" objective: mean |advantage| of the report's samples, `sum|A| / n`
    /// (Chen et al., 2025, arXiv 2505.14970).
    case advantage = "adv"
    /// SEC's "progress" objective: the change of the category's mean reward since its
    /// previous update. See ``RewardSignal`` for how partial and stale reports are compared.
    case progress
}
