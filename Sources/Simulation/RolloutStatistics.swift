/// What one category's responses in a batch added up to.
public struct RolloutStatistics: Sendable, Hashable {
    public var category: String
    /// Prompts rolled out; `count` is responses (prompts x group size).
    public var prompts = 0
    /// Prompts whose G rewards were all equal (zero variance, zero advantage).
    public var zeroVariancePrompts = 0
    public var count = 0
    public var sumAbsAdvantage = 0.0
    public var sumSquaredAdvantage = 0.0
    public var sumReward = 0.0

    public init(category: String) {
        self.category = category
    }

    public var meanAbsAdvantage: Double { count > 0 ? sumAbsAdvantage / Double(count) : 0 }
    public var meanReward: Double { count > 0 ? sumReward / Double(count) : 0 }

    mutating func add(advantage: Double, reward: Double) {
        count += 1
        sumAbsAdvantage += abs(advantage)
        sumSquaredAdvantage += advantage * advantage
        sumReward += reward
    }
}
