/// Learnability weighting (Syllabus's `Learnability`; Tzannetos et al. 2023, LILO):
/// categories are sampled in proportion to `p (1 - p)`, the variance of a pass/fail
/// outcome at pass rate p, which is largest for problems solved half of the time and 0
/// for those always or never solved. p is the category's recent pass rate (``PassRates``);
/// a category without samples counts as p = 0.5, so that new categories are tried first.
/// When every weight is 0 (every category always or never solved) the distribution is
/// uniform. Use `--min-probability` to keep solved categories from vanishing entirely.
public struct LearnabilityPolicy: PassRatePolicy, Codable {
    public static let name = "learnability"

    public struct Configuration: Sendable, Hashable, Codable {
        /// Samples per category in the pass-rate window.
        public var window: Int
        /// Maps the mean reward onto [0, 1]; the default is the identity for rewards in [0, 1].
        public var scale: RewardScale

        public init(window: Int = PassRatePolicyDefaults.window, scale: RewardScale = .init()) {
            self.window = window
            self.scale = scale
        }
    }

    public let configuration: Configuration
    var passRates: PassRates

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        passRates = try PassRates(window: configuration.window, scale: configuration.scale)
        self.configuration = configuration
    }

    /// Each arm's weight `p (1 - p)`.
    public var weights: [Double] {
        passRates.rates.map { rate in
            let p = rate ?? PassRatePolicyDefaults.unknownPassRate
            return p * (1 - p)
        }
    }

    public func distribution() -> CurriculumDistribution {
        let w = weights
        return CurriculumDistribution(categories: categories, probabilities: Softmax.proportional(w), values: w)
    }

    public var snapshot: PolicySnapshot { .learnability(self) }
}
