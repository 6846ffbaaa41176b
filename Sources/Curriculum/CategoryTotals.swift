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
        // Saturating: a validated report's count is at most 2^32, so reaching Int.max takes
        // billions of reports, but a counter must never be what brings a coordinator down.
        reports = reports.addingReportingOverflow(1).overflow ? .max : reports + 1
        let (sum, overflow) = count.addingReportingOverflow(report.count)
        count = overflow ? .max : sum
        absAdvantage.add(report.sumAbsAdvantage)
        squaredAdvantage.add(report.sumSquaredAdvantage)
        reward.add(report.sumReward)
    }
}
