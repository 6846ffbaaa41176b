import CurriculumWire

/// What every identity reports: `perReport` consecutive categories of `categories` per
/// report, starting at a place that moves with identity and sequence so all are covered.
/// Every value is a small multiple of 1/4, so any sum of them is exact in a double and
/// the coordinator's totals can be compared with `==` (as the exactly-once tests do).
public struct ReportPlan: Sendable {
    public let categories: [String]
    public let perReport: Int
    public let interval: Duration
    /// Each identity's share of a step: 1 / fleet size.
    public let stepShare: Double

    public init(categories: Int, perReport: Int, interval: Duration, workers: Int) {
        self.categories = (0..<categories).map { "category-\($0)" }
        self.perReport = perReport
        self.interval = interval
        self.stepShare = 1 / Double(workers)
    }

    func report(identity: Int, sequence: UInt64, policyVersion: UInt64) -> ReportFrame {
        let start = (identity * 5 + Int(sequence % UInt64(categories.count))) % categories.count
        let entries = (0..<perReport).map { offset in
            ReportFrame.Category(
                category: categories[(start + offset) % categories.count],
                count: 8,
                sumAbsAdvantage: 1 + Double(sequence % 4) * 0.25,
                sumSquaredAdvantage: 0.5,
                sumReward: Double(identity % 3) - 1 + Double(offset) * 0.25)
        }
        return ReportFrame(sequence: sequence, policyVersion: policyVersion, stepShare: stepShare, categories: entries)
    }
}
