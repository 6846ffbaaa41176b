import Curriculum

/// One category's share of a batch, summarised for the coordinator: what SEC's
/// reward (mean |advantage|) and the other policies' rewards are computed from.
public struct AdvantageStatistics: Sendable, Hashable {
    public var category: String
    public var count: Int
    public var sumAbsAdvantage: Double
    public var sumSquaredAdvantage: Double
    public var sumReward: Double
    /// The prompt groups among the samples, when known (nil: not sent).
    public var groups: Int?
    /// Of those groups, how many had all their rewards equal (zero variance).
    public var zeroVarianceGroups: Int?

    public init(
        category: String, count: Int, sumAbsAdvantage: Double, sumSquaredAdvantage: Double, sumReward: Double,
        groups: Int? = nil, zeroVarianceGroups: Int? = nil
    ) {
        self.category = category
        self.count = count
        self.sumAbsAdvantage = sumAbsAdvantage
        self.sumSquaredAdvantage = sumSquaredAdvantage
        self.sumReward = sumReward
        self.groups = groups
        self.zeroVarianceGroups = zeroVarianceGroups
    }

    /// Sums per-sample advantages (each sample's token-masked mean, as in SEC) and rewards.
    public init(category: String, advantages: some Sequence<Double>, rewards: some Sequence<Double>) {
        var count = 0
        var sumAbs = 0.0
        var sumSquared = 0.0
        for advantage in advantages {
            count += 1
            sumAbs += abs(advantage)
            sumSquared += advantage * advantage
        }
        self.init(
            category: category, count: count, sumAbsAdvantage: sumAbs,
            sumSquaredAdvantage: sumSquared, sumReward: rewards.reduce(0, +))
    }

    /// As ``init(category:advantages:rewards:)`` for samples in prompt groups (GRPO's G
    /// responses per prompt), also counting the groups and those whose rewards are all equal.
    /// `advantages` and `rewards` hold one entry per response, a group's responses adjacent:
    /// the samples of `[[r11, r12], [r21, r22]]` in that order.
    public init(category: String, advantages: some Sequence<Double>, groupedRewards: [[Double]]) {
        self.init(category: category, advantages: advantages, rewards: groupedRewards.joined())
        let nonEmpty = groupedRewards.filter { !$0.isEmpty }
        groups = nonEmpty.count
        zeroVarianceGroups = nonEmpty.count { group in group.allSatisfy { $0 == group[0] } }
    }

    /// These statistics as the coordinator merges them: drawn under `version`, by a worker
    /// drawing `share` of the step's batch.
    func categoryReport(version: Int, share: Double) -> CategoryReport {
        CategoryReport(
            category: category, count: count, sumAbsAdvantage: sumAbsAdvantage,
            sumSquaredAdvantage: sumSquaredAdvantage, sumReward: sumReward, version: version, share: share,
            groups: groups, zeroVarianceGroups: zeroVarianceGroups)
    }
}
