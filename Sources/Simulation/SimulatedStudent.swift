import Curriculum
import Foundation

/// A stand-in for an LLM under RL training, cheap enough to run thousands of steps.
///
/// Categories are domains x difficulty levels, each with a skill. A prompt of category c
/// is solved with probability `sigmoid(a * (skill[c] - difficulty[c]))`; each prompt gets
/// a group of G responses with sampled binary rewards and GRPO advantages. A training
/// step moves skill by the learning rate times the gradient signal (the |A| mass) each
/// category contributed to the batch, with transfer to neighbouring levels (more downward
/// than upward) and to other domains, and forgetting toward the starting skill. Too-easy
/// and too-hard categories give groups that all agree, hence zero advantages and no
/// signal, so the category worth training on moves up as the student learns.
///
/// The student holds no random generator: rollouts draw from the caller's, so many
/// workers can roll out against one shared student, each with its own seeded stream.
/// Equations: docs/simulation.md.
public struct SimulatedStudent: Sendable, Hashable {
    public let configuration: StudentConfiguration
    public let categories: [String]
    public private(set) var skill: [Double]
    /// Training steps applied so far: the student's policy version.
    public private(set) var step = 0
    private let index: [String: Int]

    public init(configuration: StudentConfiguration = .init()) {
        self.configuration = configuration
        self.categories = configuration.categories
        self.skill = Array(repeating: configuration.initialSkill, count: configuration.categories.count)
        self.index = Dictionary(uniqueKeysWithValues: configuration.categories.enumerated().map { ($1, $0) })
    }

    public func categoryIndex(_ category: String) -> Int? { index[category] }
    public func level(of category: Int) -> Int { category % configuration.levels }
    public func domain(of category: Int) -> Int { category / configuration.levels }

    public func difficulty(of category: Int) -> Double {
        configuration.levelSpacing * Double(level(of: category))
    }

    /// Probability of solving a prompt of `category` now: the expected reward.
    public func successProbability(_ category: Int) -> Double {
        1 / (1 + exp(-configuration.sharpness * (skill[category] - difficulty(of: category))))
    }

    /// Expected accuracy on each level, averaged over domains: the evaluation metric.
    public var accuracyByLevel: [Double] {
        let levels = configuration.levels
        var sums = [Double](repeating: 0, count: levels)
        for c in skill.indices { sums[level(of: c)] += successProbability(c) }
        return sums.map { $0 / Double(configuration.domains.count) }
    }

    /// Expected accuracy over every category.
    public var meanAccuracy: Double {
        skill.indices.reduce(0) { $0 + successProbability($1) } / Double(skill.count)
    }

    /// Rolls out `prompts` prompts of `category`, G responses each, drawing rewards from
    /// `random`. Returns the statistics a worker reports; nil for an unknown category.
    public func rollOut<G: RandomNumberGenerator>(
        category: String, prompts: Int, using random: inout G
    ) -> RolloutStatistics? {
        guard let c = index[category] else { return nil }
        let p = successProbability(c)
        var statistics = RolloutStatistics(category: category)
        statistics.prompts = prompts
        var rewards = [Double](repeating: 0, count: configuration.groupSize)
        for _ in 0..<prompts {
            for i in rewards.indices {
                // 53 random bits as a uniform double in [0, 1).
                rewards[i] = Double(random.next() >> 11) * 0x1p-53 < p ? 1 : 0
            }
            for (reward, advantage) in zip(rewards, GRPO.advantages(rewards)) {
                statistics.add(advantage: advantage, reward: reward)
            }
            if rewards.allSatisfy({ $0 == rewards[0] }) { statistics.zeroVariancePrompts += 1 }
        }
        return statistics
    }

    /// One training step on a batch: every category's gradient signal is its summed |A|
    /// over the batch's responses (GRPO averages the loss over all of them, so samples with
    /// zero advantage dilute the step), spread to related categories by transfer.
    public mutating func train(on batch: [RolloutStatistics]) {
        let responses = batch.reduce(0) { $0 + $1.count }
        step += 1
        let levels = configuration.levels
        let domains = configuration.domains.count
        var delta = [Double](repeating: 0, count: skill.count)
        if responses > 0 {
            for entry in batch {
                guard let c = index[entry.category], entry.sumAbsAdvantage > 0 else { continue }
                let gain = configuration.learningRate * entry.sumAbsAdvantage / Double(responses)
                let domain = domain(of: c)
                let level = level(of: c)
                for target in 0..<levels {
                    let distance = Double(abs(target - level))
                    let share = target <= level
                        ? pow(configuration.transferDown, distance) : pow(configuration.transferUp, distance)
                    delta[domain * levels + target] += gain * share
                }
                for other in 0..<domains where other != domain {
                    delta[other * levels + level] += gain * configuration.transferAcrossDomains
                }
            }
        }
        let s0 = configuration.initialSkill
        for c in skill.indices {
            skill[c] = s0 + (1 - configuration.forgetting) * (skill[c] - s0) + delta[c]
        }
    }
}
