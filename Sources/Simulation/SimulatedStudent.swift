import Curriculum
import Foundation

/// A stand-in for an LLM under RL training, cheap enough to run thousands of steps.
///
/// Categories are domains x difficulty levels. The student has a skill per
/// category; a prompt of category c is solved with probability
/// `sigmoid(sharpness * (skill[c] - difficulty[c]))`. Each prompt gets a group
/// of G sampled responses with binary rewards, and GRPO advantages
/// `(r - mean) / (std + eps)` within the group. Training on a batch moves skill
/// in proportion to the gradient signal (mean |A|) each category supplied, with
/// transfer to neighbouring levels (more downward than upward) and related
/// domains, and forgetting toward the starting skill where nothing was trained.
/// Too-easy and too-hard categories yield little signal, so the category worth
/// training on moves up as the student learns: the non-stationary bandit SEC targets.
/// Equations: docs/simulation.md.
public struct SimulatedStudent: Sendable {
    public struct Configuration: Sendable, Hashable, Codable {
        public var domains: [String]
        public var levels: Int
        /// Difficulty of level l is `levelSpacing * l`.
        public var levelSpacing: Double
        public var sharpness: Double
        public var initialSkill: Double
        public var groupSize: Int
        public var learningRate: Double
        /// Share of a category's gain passed to the level below / above, same domain.
        public var transferDown: Double
        public var transferUp: Double
        /// Share of a category's gain passed to the same level of other domains.
        public var transferAcrossDomains: Double
        /// Per step, untrained skill relaxes toward the initial skill by this fraction of the gap.
        public var forgetting: Double

        public init(
            domains: [String] = ["arith", "logic", "code"],
            levels: Int = 5,
            levelSpacing: Double = 1.5,
            sharpness: Double = 1.6,
            initialSkill: Double = 1.0,
            groupSize: Int = 8,
            learningRate: Double = 0.05,
            transferDown: Double = 0.5,
            transferUp: Double = 0.15,
            transferAcrossDomains: Double = 0.1,
            forgetting: Double = 0.002
        ) {
            self.domains = domains
            self.levels = levels
            self.levelSpacing = levelSpacing
            self.sharpness = sharpness
            self.initialSkill = initialSkill
            self.groupSize = groupSize
            self.learningRate = learningRate
            self.transferDown = transferDown
            self.transferUp = transferUp
            self.transferAcrossDomains = transferAcrossDomains
            self.forgetting = forgetting
        }

        /// Category names, `domain/level`, domain-major.
        public var categories: [String] {
            domains.flatMap { domain in (0..<levels).map { "\(domain)/\($0)" } }
        }
    }

    public let configuration: Configuration
    public let categories: [String]
    public private(set) var skill: [Double]
    private let index: [String: Int]
    private var random: Xoshiro256StarStar

    public init(configuration: Configuration = .init(), seed: UInt64) {
        self.configuration = configuration
        self.categories = configuration.categories
        self.skill = Array(repeating: configuration.initialSkill, count: configuration.categories.count)
        self.index = Dictionary(uniqueKeysWithValues: configuration.categories.enumerated().map { ($1, $0) })
        self.random = Xoshiro256StarStar(seed: seed)
    }

    public func difficulty(of category: Int) -> Double {
        configuration.levelSpacing * Double(category % configuration.levels)
    }

    /// Probability of solving a prompt of `category` now.
    public func successProbability(_ category: Int) -> Double {
        1 / (1 + exp(-configuration.sharpness * (skill[category] - difficulty(of: category))))
    }

    public func successProbability(_ category: String) -> Double? {
        index[category].map(successProbability)
    }

    /// Rolls out `prompts` prompts of `category`, G responses each, and returns the
    /// statistics a worker reports: count = responses, sums of |A|, A^2 and reward.
    public mutating func rollOut(category: String, prompts: Int) -> RolloutStatistics? {
        guard let c = index[category] else { return nil }
        let p = successProbability(c)
        let g = configuration.groupSize
        var statistics = RolloutStatistics(category: category)
        var rewards = [Double](repeating: 0, count: g)
        for _ in 0..<prompts {
            var sum = 0.0
            for i in 0..<g {
                rewards[i] = Double.random(in: 0..<1, using: &random) < p ? 1 : 0
                sum += rewards[i]
            }
            let mean = sum / Double(g)
            var squares = 0.0
            for r in rewards { squares += (r - mean) * (r - mean) }
            // GRPO normalises by the group's standard deviation (population form, as in verl).
            let std = (squares / Double(g)).squareRoot()
            for r in rewards {
                let advantage = (r - mean) / (std + 1e-6)
                statistics.add(advantage: advantage, reward: r)
            }
        }
        return statistics
    }

    /// One training step on a batch: `signal[c]` is the summed |A| the batch
    /// held for category c, `batchSize` its total sample count.
    public mutating func train(on statistics: [RolloutStatistics]) {
        let total = statistics.reduce(0) { $0 + $1.count }
        guard total > 0 else { return }
        let levels = configuration.levels
        let domains = configuration.domains.count
        var gain = [Double](repeating: 0, count: categories.count)
        for entry in statistics {
            guard let c = index[entry.category], entry.count > 0 else { continue }
            // Gradient signal: the category's share of the batch's summed |A|.
            gain[c] += configuration.learningRate * entry.sumAbsAdvantage / Double(total) * Double(levels * domains) / 4
        }
        var delta = [Double](repeating: 0, count: categories.count)
        for c in gain.indices where gain[c] > 0 {
            delta[c] += gain[c]
            let domain = c / levels
            let level = c % levels
            for below in 0..<level {
                delta[domain * levels + below] += gain[c] * pow(configuration.transferDown, Double(level - below))
            }
            for above in (level + 1)..<max(level + 1, levels) {
                delta[domain * levels + above] += gain[c] * pow(configuration.transferUp, Double(above - level))
            }
            for other in 0..<domains where other != domain {
                delta[other * levels + level] += gain[c] * configuration.transferAcrossDomains
            }
        }
        for c in skill.indices {
            if delta[c] > 0 {
                skill[c] += delta[c]
            } else {
                skill[c] -= configuration.forgetting * (skill[c] - configuration.initialSkill)
            }
        }
    }
}

/// What one category's responses in a batch added up to.
public struct RolloutStatistics: Sendable, Hashable {
    public var category: String
    public var count = 0
    public var sumAbsAdvantage = 0.0
    public var sumSquaredAdvantage = 0.0
    public var sumReward = 0.0

    public init(category: String) {
        self.category = category
    }

    mutating func add(advantage: Double, reward: Double) {
        count += 1
        sumAbsAdvantage += abs(advantage)
        sumSquaredAdvantage += advantage * advantage
        sumReward += reward
    }
}
