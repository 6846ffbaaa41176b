/// Why a report was not merged. Every case names the offending value so the coordinator
/// can log it and a worker can fix it.
public enum ReportRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category name is the empty string.
    case emptyCategory
    /// The sample count is below zero.
    case negativeCount(Int)
    /// More samples than one batch can hold (``CategoryReport/maximumCount``).
    case countTooLarge(Int)
    /// A category name longer than ``CategoryReport/maximumCategoryBytes`` bytes of UTF-8.
    case categoryTooLong(bytes: Int)
    /// A sum or the share is NaN or infinite.
    case nonFiniteValue(field: CategoryReport.Field, value: Double)
    /// A sum that cannot be negative (of |A| or of A²) is negative.
    case negativeSum(field: CategoryReport.Field, value: Double)
    /// The report has no samples but a nonzero sum: one of the two is wrong.
    case sumsWithoutSamples(field: CategoryReport.Field, value: Double)
    /// The worker's share of the step is not in (0, 1].
    case shareOutOfRange(Double)
    /// Group counts that cannot be: more zero-variance groups than groups, more groups than
    /// samples, a negative one, or zero-variance groups without groups.
    case invalidGroupCounts(groups: Int?, zeroVariance: Int?, count: Int)
    /// The report claims a policy version the coordinator has not reached yet.
    case futureVersion(report: Int, current: Int)
    /// The report is older than the configured maximum staleness.
    case tooStale(staleness: Int, maximum: Int)

    /// A stable snake_case identifier, for machine-readable error lines.
    public var code: String {
        switch self {
        case .emptyCategory: "empty_category"
        case .negativeCount: "negative_count"
        case .countTooLarge: "count_too_large"
        case .categoryTooLong: "category_too_long"
        case .nonFiniteValue: "non_finite_value"
        case .negativeSum: "negative_sum"
        case .sumsWithoutSamples: "sums_without_samples"
        case .shareOutOfRange: "share_out_of_range"
        case .invalidGroupCounts: "invalid_group_counts"
        case .futureVersion: "future_version"
        case .tooStale: "too_stale"
        }
    }

    public var description: String {
        switch self {
        case .emptyCategory:
            "the category name is empty"
        case .negativeCount(let n):
            "the sample count n = \(n) is negative"
        case .countTooLarge(let n):
            "the sample count n = \(n) exceeds \(CategoryReport.maximumCount)"
        case .categoryTooLong(let bytes):
            "the category name is \(bytes) bytes long; at most \(CategoryReport.maximumCategoryBytes) are allowed"
        case .nonFiniteValue(let field, let value):
            "\(field.rawValue) = \(value) is not a finite number"
        case .negativeSum(let field, let value):
            "\(field.rawValue) = \(value) is negative, but it is a sum of non-negative terms"
        case .sumsWithoutSamples(let field, let value):
            "n = 0 but \(field.rawValue) = \(value) is nonzero"
        case .shareOutOfRange(let share):
            "share = \(share) is outside (0, 1]"
        case .invalidGroupCounts(let groups, let zeroVariance, let count):
            "groups = \(groups.map(String.init) ?? "absent"), zero_variance_groups = "
                + "\(zeroVariance.map(String.init) ?? "absent"), n = \(count): need 0 <= zero_variance_groups "
                + "<= groups <= n, and groups whenever zero_variance_groups is given"
        case .futureVersion(let report, let current):
            "report version \(report) is ahead of the current version \(current)"
        case .tooStale(let staleness, let maximum):
            "staleness \(staleness) exceeds the maximum \(maximum)"
        }
    }
}
