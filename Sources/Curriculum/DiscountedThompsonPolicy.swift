/// Discounted Thompson sampling (Raj and Kalyani, 2017, arXiv 1707.09727) with a Beta
/// posterior per arm: every training step the success and failure counts decay by gamma,
/// and a report adds its samples, `S_k += n w x`, `F_k += n w (1 - x)`, where x is the
/// report's reward scaled to [0, 1] by ``RewardScale`` (a fractional Bernoulli outcome) and
/// w the staleness weight (the share is not used: n already is the worker's part).
/// The posterior is Beta(S_k + 1, F_k + 1).
///
/// The distribution is the probability that each arm's posterior draw is the largest,
/// estimated from `draws` joint draws. They come from a copy of the policy's generator,
/// which advances on every state change: the distribution is a pure function of the state,
/// and a snapshot, which includes the generator, restores it exactly.
public struct DiscountedThompsonPolicy: CurriculumPolicy, RewardSignalArmTable, Codable {
    public static let name = "thompson"

    public struct Configuration: Sendable, Hashable, Codable {
        /// Discount per training step.
        public var gamma: Double
        public var scale: RewardScale
        /// Monte Carlo draws per distribution; the cost is about 2 * draws * arms gamma variates.
        public var draws: Int
        public var seed: UInt64
        public var objective: RewardObjective

        public init(
            gamma: Double = 0.99,
            scale: RewardScale = .init(),
            draws: Int = 256,
            seed: UInt64 = 0,
            objective: RewardObjective = .advantage
        ) {
            self.gamma = gamma
            self.scale = scale
            self.draws = draws
            self.seed = seed
            self.objective = objective
        }

        func validate() throws(ConfigurationError) {
            try ConfigurationError.require(gamma > 0 && gamma <= 1, "gamma", gamma, "in (0, 1]")
            try ConfigurationError.require(draws > 0, "draws", draws, "positive")
            try scale.validate()
        }
    }

    public let configuration: Configuration
    var arms = ArmIndex()
    private var successes: [Double] = []
    private var failures: [Double] = []
    private var generator: Xoshiro256StarStar
    var signal: RewardSignal

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        generator = Xoshiro256StarStar(seed: configuration.seed)
        signal = RewardSignal(objective: configuration.objective)
    }

    mutating func appendArm() {
        successes.append(0)
        failures.append(0)
        signal.appendArm()
        _ = generator.next()
    }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        let arm = position(of: report.category)
        guard let samples = weightedSamples(of: report, arm: arm, weight: weight) else { return arm }
        let (r, n) = samples
        let x = configuration.scale.unit(r)
        successes[arm] += n * x
        failures[arm] += n * (1 - x)
        _ = generator.next()
        return arm
    }

    public mutating func advance(by steps: Int) {
        guard steps > 0 else { return }
        Self.discount(&successes, &failures, gamma: configuration.gamma, steps: steps)
        _ = generator.next()
    }

    /// Each arm's posterior mean `(S + 1) / (S + F + 2)`.
    public var posteriorMeans: [Double] {
        successes.indices.map { (successes[$0] + 1) / (successes[$0] + failures[$0] + 2) }
    }

    public func distribution() -> CurriculumDistribution {
        let k = successes.count
        var wins = [Double](repeating: 0, count: k)
        if k > 0 {
            var rng = generator
            for _ in 0..<configuration.draws {
                var best = 0
                var bestDraw = -1.0
                for j in 0..<k {
                    let draw = BetaSampler.sample(successes[j] + 1, failures[j] + 1, using: &rng)
                    if draw > bestDraw {
                        bestDraw = draw
                        best = j
                    }
                }
                wins[best] += 1
            }
        }
        return CurriculumDistribution(
            categories: arms.names, probabilities: Softmax.proportional(wins), values: posteriorMeans)
    }

    public var snapshot: PolicySnapshot { .discountedThompson(self) }
}
