/// One category's share of a batch, summarised for the coordinator: what SEC's
/// reward (mean |advantage|) and the other policies' rewards are computed from.
public struct AdvantageStatistics: Sendable, Hashable {
    public var category: String
    public var count: Int
    public var sumAbsAdvantage: Double
    public var sumSquaredAdvantage: Double
    public var sumReward: Double

    public init(category: String, count: Int, sumAbsAdvantage: Double, sumSquaredAdvantage: Double, sumReward: Double) {
        self.category = category
        self.count = count
        self.sumAbsAdvantage = sumAbsAdvantage
        self.sumSquaredAdvantage = sumSquaredAdvantage
        self.sumReward = sumReward
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
}
