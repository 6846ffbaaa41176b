/// Everything accepted for one category, summed without weighting, so that a coordinator
/// can check that every report was counted exactly once.
///
/// The sums are compensated (Neumaier), so they are correct to about one rounding whatever
/// the number and order of reports.
public struct CategoryTotals: Sendable, Hashable, Codable {
    /// Accepted reports.
    public private(set) var reports = 0
    /// Accepted samples.
    public private(set) var count = 0
    private var absAdvantage = CompensatedSum()
    private var squaredAdvantage = CompensatedSum()
    private var reward = CompensatedSum()

    public init() {}

    public var sumAbsAdvantage: Double { absAdvantage.value }
    public var sumSquaredAdvantage: Double { squaredAdvantage.value }
    public var sumReward: Double { reward.value }

    /// Public so that a worker can total what it sent the same way, and the two sides
    /// can be compared.
    public mutating func add(_ report: CategoryReport) {
        reports += 1
        count += report.count
        absAdvantage.add(report.sumAbsAdvantage)
        squaredAdvantage.add(report.sumSquaredAdvantage)
        reward.add(report.sumReward)
    }
}
