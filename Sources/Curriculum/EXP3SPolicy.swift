/// EXP3.S (Auer et al., 2002, "The nonstochastic multiarmed bandit problem", SIAM J.
/// Comput. 32(1)): exponential weights with a uniform exploration mix,
/// `p_k = (1 - gamma) w_k / sum w + gamma / K`, the importance-weighted update
/// `w_k <- w_k exp(gamma x_k / (K p_k))` and the share-back `w_k <- w_k + (e alpha / K) sum w`
/// that lets it track a changing best arm.
///
/// Batches: a play is one sample, so a report of n samples of arm k with reward x (scaled to
/// [0, 1] by ``RewardScale``) and staleness weight w applies the per-play update n * w times:
/// `ln w_k += gamma n w x / (K p_k)`, with p_k the current probability (the worker's own
/// probability is not in the report). The share-back is applied once per training step.
/// Weights are kept as logarithms, so they never overflow. The theory's tuning
/// `gamma ~ sqrt(K ln K / T)` gives about 0.01 for T = 240 steps of 256 samples, hence the
/// default; alpha ~ 1/T per play is about 0.005 per such step.
public struct EXP3SPolicy: CurriculumPolicy, RewardSignalArmTable, Codable {
    public static let name = "exp3s"

    public struct Configuration: Sendable, Hashable, Codable {
        /// Exploration mix and learning rate.
        public var gamma: Double
        /// Share-back per training step.
        public var alpha: Double
        public var scale: RewardScale
        public var objective: RewardObjective

        public init(
            gamma: Double = 0.01,
            alpha: Double = 0.005,
            scale: RewardScale = .init(),
            objective: RewardObjective = .advantage
        ) {
            self.gamma = gamma
            self.alpha = alpha
            self.scale = scale
            self.objective = objective
        }

        func validate() throws(ConfigurationError) {
            try ConfigurationError.require(gamma > 0 && gamma <= 1, "gamma", gamma, "in (0, 1]")
            try ConfigurationError.require(alpha >= 0 && alpha.isFinite, "alpha", alpha, "non-negative and finite")
            try scale.validate()
        }
    }

    public let configuration: Configuration
    var arms = ArmIndex()
    private var logWeights: [Double] = []
    /// `sum exp(logWeights - reference)`, kept up to date on every merge so that p_k costs O(1).
    private var reference = 0.0
    private var weightSum = 0.0
    var signal: RewardSignal

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        signal = RewardSignal(objective: configuration.objective)
    }

    mutating func appendArm() {
        // A new arm starts at the largest current weight: EXP3 starts all arms equal, and an
        // arm arriving late should not be buried under the others' accumulated gains.
        let start = logWeights.max() ?? 0
        logWeights.append(start)
        weightSum += Math.exp(start - reference)
        signal.appendArm()
    }

    @inline(__always) private func probability(_ k: Int) -> Double {
        let gamma = configuration.gamma
        let K = Double(logWeights.count)
        return (1 - gamma) * Math.exp(logWeights[k] - reference) / weightSum + gamma / K
    }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        let arm = position(of: report.category)
        guard let samples = weightedSamples(of: report, arm: arm, weight: weight) else { return arm }
        let (r, plays) = samples
        let x = configuration.scale.unit(r)
        guard x > 0 else { return arm }
        let K = Double(logWeights.count)
        let old = Math.exp(logWeights[arm] - reference)
        logWeights[arm] += configuration.gamma * plays * x / (K * probability(arm))
        if logWeights[arm] - reference > 512 {
            rebase()
        } else {
            weightSum += Math.exp(logWeights[arm] - reference) - old
        }
        return arm
    }

    /// Moves the reference to the largest log-weight and recomputes the sum exactly.
    private mutating func rebase() {
        let top = logWeights.max() ?? 0
        reference = top
        weightSum = CompensatedSum.total(logWeights.lazy.map { Math.exp($0 - top) })
    }

    public mutating func advance(by steps: Int) {
        guard steps > 0, !logWeights.isEmpty else { return }
        let K = Double(logWeights.count)
        let share = 2.718281828459045 * configuration.alpha / K
        for _ in 0..<steps {
            rebase()
            let added = share * weightSum
            for k in logWeights.indices {
                logWeights[k] = reference + Math.log(Math.exp(logWeights[k] - reference) + added)
            }
        }
        rebase()
    }

    public func distribution() -> CurriculumDistribution {
        let top = logWeights.max() ?? 0
        let relative = logWeights.map { $0 - top }
        let exploit = Softmax.probabilities(relative, temperature: 1)
        let gamma = configuration.gamma
        let K = Double(logWeights.count)
        let p = exploit.map { (1 - gamma) * $0 + gamma / K }
        return CurriculumDistribution(categories: arms.names, probabilities: p, values: relative)
    }

    public var snapshot: PolicySnapshot { .exp3s(self) }
}
