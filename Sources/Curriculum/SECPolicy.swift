/// Self-Evolving Curriculum (Chen et al., 2025, arXiv 2505.14970): one value Q per
/// category, learned with TD(0) `Q <- (1 - alpha) Q + alpha r` once per training step,
/// sampled with a Boltzmann distribution `softmax(Q / tau)`. Q starts at 0.
///
/// ## Share-aware merging
///
/// SEC's r is the arm's mean reward over the whole step's batch. When W workers each draw a
/// share f_i = b_i / B of the batch, each arm keeps an open step: Q0, its value before the
/// step, and the step's samples so far. A report with share f and staleness weight w has the
/// effective step `a = 1 - (1 - alpha w)^f` (see ``ShareAwareStep``): it multiplies the
/// weight left on Q0 by `1 - a`, and its samples join the step's running (staleness-weighted)
/// mean r̄, so after reports 1..m
///
///     Q = K Q0 + (1 - K) r̄,    K = prod_i (1 - alpha w_i)^(f_i).
///
/// When the shares add up to 1 and w = 1 this is exactly SEC's update, whatever W and the
/// order of arrival: K = 1 - alpha and r̄ is the whole step's mean. A worker whose part had
/// no sample of a known arm should send an n = 0 report for it; that report only contracts
/// (it has no reward), and without it the arm's step would contract by `(1 - alpha)^(sum f)`
/// over the shares that did report. A step without any sample leaves Q unchanged.
///
/// A report of a newer version closes the arm's open step (Q becomes its new Q0). A report
/// older than the open step is folded into Q0 as a plain update `Q0 <- (1 - a) Q0 + a r`,
/// as if it had arrived before the newer samples.
///
/// With one worker reporting every step on time (f = 1, w = 1), the arithmetic is the
/// reference code's `(1 - alpha) * Q + alpha * r`, bit for bit.
public struct SECPolicy: CurriculumPolicy, Codable {
    public static let name = "sec"

    /// How Q values become probabilities.
    public enum Sampling: Sendable, Hashable, Codable {
        /// `p = exp(Q / tau) / sum exp(Q / tau)` (the paper's choice).
        case boltzmann
        /// `p = max(Q, 0.01) / sum max(Q, 0.01)` (the reference code's alternative).
        case normalizedQ
        /// Probability `1 - epsilon` on the best arm (split equally among ties), `epsilon`
        /// spread uniformly over all arms.
        case epsilonGreedy(epsilon: Double)
    }

    /// SEC's hyper-parameters.
    public struct Configuration: Sendable, Hashable, Codable {
        /// TD(0) learning rate. The paper's runs use 0.5 (Countdown); the code default is 0.1.
        public var alpha: Double
        /// Boltzmann temperature (paper: 1.0 Countdown, 0.4 math, 0.2 two-dimensional).
        public var tau: Double
        public var sampling: Sampling
        /// Decay absent arms: when a step ends, an arm with no samples in it is updated with
        /// r = 0, as the reference code does (`Q <- (1 - alpha) Q`). Off by default: with
        /// asynchronous workers a step's reports usually arrive after the step has ended, so
        /// arms would be decayed for samples that are merely late.
        public var decayAbsent: Bool
        /// The "progress" objective's r is the step's mean reward minus the arm's previous
        /// step's mean reward (0 for an arm's first step).
        public var objective: RewardObjective

        public init(
            alpha: Double = 0.5,
            tau: Double = 1.0,
            sampling: Sampling = .boltzmann,
            decayAbsent: Bool = false,
            objective: RewardObjective = .advantage
        ) {
            self.alpha = alpha
            self.tau = tau
            self.sampling = sampling
            self.decayAbsent = decayAbsent
            self.objective = objective
        }

        func validate() throws(ConfigurationError) {
            try ConfigurationError.require(alpha > 0 && alpha <= 1, "alpha", alpha, "in (0, 1]")
            try ConfigurationError.require(tau > 0 && tau.isFinite, "tau", tau, "positive and finite")
            if case .epsilonGreedy(let epsilon) = sampling {
                try ConfigurationError.require(epsilon >= 0 && epsilon <= 1, "epsilon", epsilon, "in [0, 1]")
            }
        }
    }

    /// One arm: its value and its open step.
    private struct Arm: Sendable, Codable {
        var q = 0.0
        var base = 0.0
        var openVersion = Int.min
        /// K: the weight left on `base`.
        var kept = 1.0
        /// 1 - K, accumulated as `moved + kept * a` so that one report moves exactly `a`.
        var moved = 0.0
        var count = 0.0
        var sumAbsAdvantage = 0.0
        var sumReward = 0.0
        var previousMeanReward: Double?
        var sampledThisStep = false

        func target(_ objective: RewardObjective) -> Double {
            // Sums of rewards near the limits of Double can overflow; a clamped target keeps
            // `moved * target` finite.
            switch objective {
            case .advantage: Math.clampFinite(sumAbsAdvantage / count)
            case .progress: Math.clampFinite(sumReward / count - (previousMeanReward ?? sumReward / count))
            }
        }

        mutating func closeStep() {
            if count > 0 { previousMeanReward = sumReward / count }
            base = q
            kept = 1
            moved = 0
            count = 0
            sumAbsAdvantage = 0
            sumReward = 0
        }
    }

    /// The ε of SEC's ε-greedy option.
    public static let defaultEpsilon = 0.1
    /// The floor applied to Q by the normalised-Q option.
    public static let normalizedQFloor = 0.01

    public let configuration: Configuration
    private var index = ArmIndex()
    private var arms: [Arm] = []
    /// The step rate ``ShareAwareStep`` gave the last report merged, with the weight and share
    /// it was computed from. Every category of a report has the same weight and share, and
    /// its `expm1` and `log1p` computed anew per category took 2.7% of all CPU time of
    /// in-process ingest (IngestBench, 16 agents). A cache, not state: it is not encoded.
    private var lastRate: (weight: UInt64, share: UInt64, rate: Double)?

    private enum CodingKeys: String, CodingKey {
        case configuration, index, arms
    }

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var categories: [String] { index.names }

    /// The Q value of each arm, in ``categories`` order.
    public var values: [Double] { arms.map(\.q) }

    public mutating func register(_ category: String) {
        _ = position(of: category)
    }

    @inline(__always) private mutating func position(of category: String) -> Int {
        let (p, inserted) = index.insert(category)
        if inserted { arms.append(Arm()) }
        return p
    }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        let i = position(of: report.category)
        let a = rate(weight: weight, share: report.share)
        let n = Double(report.count)
        let objective = configuration.objective
        // Updated in a local copy and stored once: one bounds check and no exclusivity
        // bookkeeping per field.
        var arm = arms[i]
        if report.version > arm.openVersion {
            arm.closeStep()
            arm.openVersion = report.version
        }
        if report.version == arm.openVersion {
            arm.moved += arm.kept * a
            arm.kept *= 1 - a
            arm.count += weight * n
            arm.sumAbsAdvantage += weight * report.sumAbsAdvantage
            arm.sumReward += weight * report.sumReward
        } else if report.count > 0 {
            let r: Double =
                switch objective {
                case .advantage: report.meanAbsAdvantage
                case .progress: report.meanReward - (arm.previousMeanReward ?? report.meanReward)
                }
            arm.base = Math.clampFinite((1 - a) * arm.base + a * r)
        }
        if report.count > 0 { arm.sampledThisStep = true }
        arm.q = arm.count > 0 ? Math.clampFinite(arm.kept * arm.base + arm.moved * arm.target(objective)) : arm.base
        arms[i] = arm
        return i
    }

    /// ``ShareAwareStep/rate(alpha:weight:share:)``, computed once for all the categories of
    /// a report. Compared by bit pattern, so the cache answers exactly what it would compute.
    private mutating func rate(weight: Double, share: Double) -> Double {
        if let lastRate, lastRate.weight == weight.bitPattern, lastRate.share == share.bitPattern {
            return lastRate.rate
        }
        let rate = ShareAwareStep.rate(alpha: configuration.alpha, weight: weight, share: share)
        lastRate = (weight.bitPattern, share.bitPattern, rate)
        return rate
    }

    public mutating func advance(by steps: Int) {
        guard steps > 0 else { return }
        if configuration.decayAbsent {
            let keep = 1 - configuration.alpha
            // The first ended step decays only the arms it had no samples of; any further
            // steps had no samples at all, so they decay every arm.
            let later = Math.pow(keep, Double(steps - 1))
            for i in arms.indices {
                let factor = arms[i].sampledThisStep ? later : keep * later
                guard factor != 1 else { continue }
                // A decay is an update of its own, so it ends the open step.
                arms[i].closeStep()
                arms[i].q *= factor
                arms[i].base = arms[i].q
            }
        }
        for i in arms.indices { arms[i].sampledThisStep = false }
    }

    public func distribution() -> CurriculumDistribution {
        let q = values
        let p: [Double]
        switch configuration.sampling {
        case .boltzmann:
            p = Softmax.probabilities(q, temperature: configuration.tau)
        case .normalizedQ:
            p = Softmax.proportional(q.map { max($0, Self.normalizedQFloor) })
        case .epsilonGreedy(let epsilon):
            p = Self.epsilonGreedy(q, epsilon: epsilon)
        }
        return CurriculumDistribution(categories: index.names, probabilities: p, values: q)
    }

    private static func epsilonGreedy(_ q: [Double], epsilon: Double) -> [Double] {
        guard let best = q.max() else { return [] }
        let ties = q.reduce(0) { $0 + ($1 == best ? 1 : 0) }
        let explore = epsilon / Double(q.count)
        let exploit = (1 - epsilon) / Double(ties)
        return q.map { $0 == best ? explore + exploit : explore }
    }

    public var snapshot: PolicySnapshot { .sec(self) }
}
