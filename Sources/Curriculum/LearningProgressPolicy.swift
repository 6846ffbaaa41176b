/// Absolute learning progress (ALP, Portelas et al., 2019, arXiv 1910.07224) over discrete
/// categories: an arm's value is a smoothed |change| of its mean reward, and arms are
/// sampled in proportion to it, mixed with an epsilon-uniform exploration term.
///
/// Per arm, m is a moving estimate of the mean reward and lp the learning progress. A report
/// with mean reward r, share f and staleness weight w updates, with a = ``ShareAwareStep``'s
/// `1 - (1 - alpha w)^f`,
///
///     g  = alpha * |r - m|          (what a whole-step update would move m by)
///     lp <- (1 - a) lp + a g
///     m  <- (1 - a) m  + a r
///
/// so that, as for SEC, splitting a step among workers contracts the old lp and m exactly as
/// one report would. The first report of an arm only sets m. Then
/// `p = (1 - epsilon) lp / sum lp + epsilon / K`, uniform while every lp is 0.
public struct LearningProgressPolicy: CurriculumPolicy, ArmTable, Codable {
    public static let name = "lp"

    public struct Configuration: Sendable, Hashable, Codable {
        public var alpha: Double
        public var epsilon: Double

        public init(alpha: Double = 0.5, epsilon: Double = 0.1) {
            self.alpha = alpha
            self.epsilon = epsilon
        }

        func validate() throws(ConfigurationError) {
            try ConfigurationError.require(alpha > 0 && alpha <= 1, "alpha", alpha, "in (0, 1]")
            try ConfigurationError.require(epsilon >= 0 && epsilon <= 1, "epsilon", epsilon, "in [0, 1]")
        }
    }

    public let configuration: Configuration
    var arms = ArmIndex()
    private var meanReward: [Double] = []
    private var seen: [Bool] = []
    private var progress: [Double] = []

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    mutating func appendArm() {
        meanReward.append(0)
        seen.append(false)
        progress.append(0)
    }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        let arm = position(of: report.category)
        guard report.count > 0 else { return arm }
        let r = report.meanReward
        guard seen[arm] else {
            meanReward[arm] = r
            seen[arm] = true
            return arm
        }
        let alpha = configuration.alpha
        let a = ShareAwareStep.rate(alpha: alpha, weight: weight, share: report.share)
        let g = Math.clampFinite(alpha * abs(r - meanReward[arm]))
        progress[arm] = (1 - a) * progress[arm] + a * g
        meanReward[arm] = Math.clampFinite((1 - a) * meanReward[arm] + a * r)
        return arm
    }

    public mutating func advance(by steps: Int) {}

    public func distribution() -> CurriculumDistribution {
        let epsilon = configuration.epsilon
        let K = Double(progress.count)
        let p = Softmax.proportional(progress).map { (1 - epsilon) * $0 + epsilon / K }
        return CurriculumDistribution(categories: arms.names, probabilities: p, values: progress)
    }

    public var snapshot: PolicySnapshot { .learningProgress(self) }
}
