/// Discounted UCB (Kocsis and Szepesvári, 2006; Garivier and Moulines, 2008,
/// arXiv 0805.3415): `N_k <- gamma N_k + n_k`, `S_k <- gamma S_k + n_k r_k`, index
/// `S_k / N_k + c sqrt(xi ln(sum N) / N_k)`, sampled with `softmax(index / temperature)`.
///
/// A round is one training step: the discount is applied when the version advances, and the
/// reports of that step add their samples. The staleness weight scales the added count and
/// sum; the share is not used (the count already is the worker's part). The defaults c = 1,
/// xi = 2 make the bonus UCB1's `sqrt(2 ln N / N_k)` (Auer et al., 2002), the same as DUMP's.
public struct DiscountedUCBPolicy: CurriculumPolicy, RewardSignalArmTable, Codable {
    public static let name = "ducb"

    public struct Configuration: Sendable, Hashable, Codable {
        /// Discount per training step.
        public var gamma: Double
        public var c: Double
        public var xi: Double
        public var temperature: Double
        public var objective: RewardObjective

        public init(
            gamma: Double = 0.99,
            c: Double = 1.0,
            xi: Double = 2.0,
            temperature: Double = 0.1,
            objective: RewardObjective = .advantage
        ) {
            self.gamma = gamma
            self.c = c
            self.xi = xi
            self.temperature = temperature
            self.objective = objective
        }

        func validate() throws(ConfigurationError) {
            try ConfigurationError.require(gamma > 0 && gamma <= 1, "gamma", gamma, "in (0, 1]")
            try ConfigurationError.require(c >= 0 && c.isFinite, "c", c, "non-negative and finite")
            try ConfigurationError.require(xi >= 0 && xi.isFinite, "xi", xi, "non-negative and finite")
            try ConfigurationError.require(
                temperature > 0 && temperature.isFinite, "temperature", temperature, "positive and finite")
        }
    }

    public let configuration: Configuration
    var arms = ArmIndex()
    private var counts: [Double] = []
    private var sums: [Double] = []
    private var total = 0.0
    var signal: RewardSignal

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        signal = RewardSignal(objective: configuration.objective)
    }

    mutating func appendArm() {
        counts.append(0)
        sums.append(0)
        signal.appendArm()
    }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        let arm = position(of: report.category)
        guard let samples = weightedSamples(of: report, arm: arm, weight: weight) else { return arm }
        let (r, n) = samples
        counts[arm] += n
        sums[arm] = Math.clampFinite(sums[arm] + n * r)
        total += n
        return arm
    }

    public mutating func advance(by steps: Int) {
        guard steps > 0 else { return }
        Self.discount(&counts, &sums, gamma: configuration.gamma, steps: steps)
        total = CompensatedSum.total(counts)
    }

    /// Each arm's index; +infinity for an arm with no (undiscounted-away) samples.
    public var indices: [Double] {
        UCBIndex.values(sums: sums, counts: counts, total: total, c: configuration.c, xi: configuration.xi)
    }

    public func distribution() -> CurriculumDistribution {
        UCBIndex.distribution(categories: arms.names, indices: indices, temperature: configuration.temperature)
    }

    public var snapshot: PolicySnapshot { .discountedUCB(self) }
}
