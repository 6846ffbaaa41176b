/// A policy that weighs categories by their recent pass rates. All it learns from reports is
/// in its ``PassRates``, so registering, merging and advancing (pass rates do not decay
/// with training steps) are the same for each; the policies differ only in how they turn
/// pass rates into a distribution.
protocol PassRatePolicy: CurriculumPolicy {
    var passRates: PassRates { get set }
}

extension PassRatePolicy {
    public var categories: [String] { passRates.categories }

    public mutating func register(_ category: String) { passRates.register(category) }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        passRates.merge(report, weight: weight)
    }

    public mutating func advance(by steps: Int) {}
}

/// What the pass-rate policies share.
public enum PassRatePolicyDefaults {
    /// The pass-rate window, in samples per category.
    public static let window = 256
    /// The pass rate a category is taken to have before its first sample: the most
    /// informative one, so that new categories are measured first.
    public static let unknownPassRate = 0.5
}
