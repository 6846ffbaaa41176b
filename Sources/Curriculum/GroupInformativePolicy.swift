/// Group-informative weighting: categories are sampled in proportion to
/// `1 - p^G - (1 - p)^G`, the probability that a group of G responses with independent
/// pass/fail rewards at pass rate p is not all equal. Only such groups have a nonzero
/// group-relative advantage (GRPO) and survive DAPO's dynamic sampling.
///
/// p is the category's recent pass rate (``PassRates``); a category without samples counts
/// as p = 0.5, so that new categories are tried first. When the category's reports count
/// their groups, the measured fraction of groups not all equal replaces the formula: it is
/// what the formula estimates, without assuming that every prompt of the category has the
/// same pass rate (a category of prompts always or never solved has p = 0.5 and no
/// informative group). When every weight is 0 the distribution is uniform.
public struct GroupInformativePolicy: PassRatePolicy, Codable {
    public static let name = "informative"

    public struct Configuration: Sendable, Hashable, Codable {
        /// G, the responses per prompt group (at least 2: one response has no variance).
        public var groupSize: Int
        /// Samples per category in the pass-rate window.
        public var window: Int
        /// Maps the mean reward onto [0, 1]; the default is the identity for rewards in [0, 1].
        public var scale: RewardScale

        public init(groupSize: Int = 8, window: Int = PassRatePolicyDefaults.window, scale: RewardScale = .init()) {
            self.groupSize = groupSize
            self.window = window
            self.scale = scale
        }
    }

    public let configuration: Configuration
    var passRates: PassRates

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try ConfigurationError.require(
            configuration.groupSize >= 2, "group-size", configuration.groupSize, "at least 2")
        passRates = try PassRates(window: configuration.window, scale: configuration.scale)
        self.configuration = configuration
    }

    /// Each arm's weight: the measured informative-group fraction, or `1 - p^G - (1 - p)^G`.
    public var weights: [Double] {
        let g = Double(configuration.groupSize)
        return zip(passRates.rates, passRates.informativeGroupFractions).map { rate, measured in
            if let measured { return measured }
            let p = rate ?? PassRatePolicyDefaults.unknownPassRate
            // Rounding can leave a hair below 0 when p is within an ulp of 0 or 1.
            return max(0, 1 - Math.pow(p, g) - Math.pow(1 - p, g))
        }
    }

    public func distribution() -> CurriculumDistribution {
        let w = weights
        return CurriculumDistribution(categories: categories, probabilities: Softmax.proportional(w), values: w)
    }

    public var snapshot: PolicySnapshot { .groupInformative(self) }
}
