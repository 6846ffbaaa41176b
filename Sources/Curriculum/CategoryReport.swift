/// What a worker observed for one category while drawing part of one training step's batch.
///
/// Reports carry sums rather than per-sample values so that any number of them can be
/// merged and audited exactly; the policy reward of SEC's "adv" objective is
/// `sumAbsAdvantage / count` (Chen et al., 2025, arXiv 2505.14970).
///
/// The JSON form (used by `curriculum replay` and on the wire) has the keys
/// `category`, `n`, `sum_abs_adv`, `sum_sq_adv`, `sum_reward`, `version` and `share`;
/// `share` may be omitted and then means 1 (the worker drew the whole batch). The optional
/// `groups` and `zero_variance_groups` count the prompt groups among the samples and those
/// whose G rewards were all equal; reports without them are as valid as ever.
public struct CategoryReport: Sendable, Hashable, Codable {
    /// The fields of a report, named as in JSON.
    public enum Field: String, Sendable, Hashable, Codable, CaseIterable {
        case sumAbsAdvantage = "sum_abs_adv"
        case sumSquaredAdvantage = "sum_sq_adv"
        case sumReward = "sum_reward"
        case share
    }

    /// The category (bandit arm) name.
    public var category: String
    /// The number of samples (responses) of this category in the worker's part of the batch.
    public var count: Int
    /// Sum over the samples of |advantage| (each sample's token-masked mean, as in SEC).
    public var sumAbsAdvantage: Double
    /// Sum over the samples of advantage squared.
    public var sumSquaredAdvantage: Double
    /// Sum over the samples of the task reward.
    public var sumReward: Double
    /// The policy version the samples were drawn under.
    public var version: Int
    /// The worker's share b/B of the step's batch: b samples drawn by this worker out of
    /// the step's B. One worker drawing the whole batch reports 1.
    public var share: Double
    /// The prompt groups the samples form, when the worker counted them.
    public var groups: Int?
    /// Of those groups, how many had all their rewards equal (zero variance, so zero
    /// group-relative advantage): what DAPO's dynamic sampling drops. Needs `groups`.
    public var zeroVarianceGroups: Int?

    /// Creates a report; call ``validate()`` (or let ``Curriculum/apply(_:)`` do it) before merging.
    public init(
        category: String,
        count: Int,
        sumAbsAdvantage: Double,
        sumSquaredAdvantage: Double,
        sumReward: Double,
        version: Int,
        share: Double = 1,
        groups: Int? = nil,
        zeroVarianceGroups: Int? = nil
    ) {
        self.category = category
        self.count = count
        self.sumAbsAdvantage = sumAbsAdvantage
        self.sumSquaredAdvantage = sumSquaredAdvantage
        self.sumReward = sumReward
        self.version = version
        self.share = share
        self.groups = groups
        self.zeroVarianceGroups = zeroVarianceGroups
    }

    /// The most samples one report may carry: far beyond any real batch, and low enough
    /// that totals summed over years of reports stay exact integers.
    public static let maximumCount = 1 << 32
    /// The longest category name, in bytes of UTF-8.
    public static let maximumCategoryBytes = 1024

    /// SEC's "adv" reward: the mean |advantage| of the report's samples (0 when empty).
    public var meanAbsAdvantage: Double { count > 0 ? sumAbsAdvantage / Double(count) : 0 }

    /// The mean task reward of the report's samples (0 when empty).
    public var meanReward: Double { count > 0 ? sumReward / Double(count) : 0 }

    /// The fraction of the report's groups whose rewards were not all equal; nil when the
    /// report does not count groups or has none.
    public var informativeGroupFraction: Double? {
        guard let groups, groups > 0 else { return nil }
        return 1 - Double(zeroVarianceGroups ?? 0) / Double(groups)
    }

    /// Throws the first reason this report cannot be merged, whatever the policy.
    public func validate() throws(ReportRejection) {
        if category.isEmpty { throw .emptyCategory }
        if category.utf8.count > Self.maximumCategoryBytes { throw .categoryTooLong(bytes: category.utf8.count) }
        if count < 0 { throw .negativeCount(count) }
        if count > Self.maximumCount { throw .countTooLarge(count) }
        // Checked field by field rather than over an array: this runs on every merge.
        try Self.requireFinite(.sumAbsAdvantage, sumAbsAdvantage)
        try Self.requireFinite(.sumSquaredAdvantage, sumSquaredAdvantage)
        try Self.requireFinite(.sumReward, sumReward)
        try Self.requireFinite(.share, share)
        if sumAbsAdvantage < 0 { throw .negativeSum(field: .sumAbsAdvantage, value: sumAbsAdvantage) }
        if sumSquaredAdvantage < 0 {
            throw .negativeSum(field: .sumSquaredAdvantage, value: sumSquaredAdvantage)
        }
        if count == 0 {
            try Self.requireZero(.sumAbsAdvantage, sumAbsAdvantage)
            try Self.requireZero(.sumSquaredAdvantage, sumSquaredAdvantage)
            try Self.requireZero(.sumReward, sumReward)
        }
        if !(share > 0 && share <= 1) { throw .shareOutOfRange(share) }
        if groups != nil || zeroVarianceGroups != nil { try validateGroups() }
    }

    private func validateGroups() throws(ReportRejection) {
        let valid: Bool
        if let groups {
            let zeroVariance = zeroVarianceGroups ?? 0
            valid = groups >= 0 && groups <= count && zeroVariance >= 0 && zeroVariance <= groups
        } else {
            valid = false
        }
        if !valid { throw .invalidGroupCounts(groups: groups, zeroVariance: zeroVarianceGroups, count: count) }
    }

    @inline(__always)
    private static func requireFinite(_ field: Field, _ value: Double) throws(ReportRejection) {
        if !value.isFinite { throw .nonFiniteValue(field: field, value: value) }
    }

    @inline(__always)
    private static func requireZero(_ field: Field, _ value: Double) throws(ReportRejection) {
        if value != 0 { throw .sumsWithoutSamples(field: field, value: value) }
    }

    private enum CodingKeys: String, CodingKey {
        case category
        case count = "n"
        case sumAbsAdvantage = "sum_abs_adv"
        case sumSquaredAdvantage = "sum_sq_adv"
        case sumReward = "sum_reward"
        case version
        case share
        case groups
        case zeroVarianceGroups = "zero_variance_groups"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        category = try c.decode(String.self, forKey: .category)
        count = try c.decode(Int.self, forKey: .count)
        sumAbsAdvantage = try c.decode(Double.self, forKey: .sumAbsAdvantage)
        sumSquaredAdvantage = try c.decode(Double.self, forKey: .sumSquaredAdvantage)
        sumReward = try c.decode(Double.self, forKey: .sumReward)
        version = try c.decode(Int.self, forKey: .version)
        share = try c.decodeIfPresent(Double.self, forKey: .share) ?? 1
        groups = try c.decodeIfPresent(Int.self, forKey: .groups)
        zeroVarianceGroups = try c.decodeIfPresent(Int.self, forKey: .zeroVarianceGroups)
    }
}
