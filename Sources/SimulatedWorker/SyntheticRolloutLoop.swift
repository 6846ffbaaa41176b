import Curriculum
import Logging
import Simulation
import WorkerAgent

/// A standalone rollout worker's main loop on a simulated student of its own (what
/// `curriculum worker` runs): draw a batch from the curriculum, roll it out, report the
/// advantage statistics, train, repeat. The demo instead shares one student among its
/// workers through ``SimulatedTrainer``, as a real run shares one policy model.
public struct SyntheticRolloutLoop: Sendable {
    public var promptsPerBatch: Int
    /// Steps to run; nil runs until cancelled.
    public var steps: Int?
    /// Time one step takes on top of the computation, to mimic generation latency.
    public var stepDelay: Duration

    public init(promptsPerBatch: Int, steps: Int? = nil, stepDelay: Duration = .zero) {
        self.promptsPerBatch = promptsPerBatch
        self.steps = steps
        self.stepDelay = stepDelay
    }

    /// Runs against `agent`, drawing rewards from a generator seeded with `seed`.
    /// Returns the student as trained.
    @discardableResult
    public func run(
        agent: WorkerAgent,
        student initial: SimulatedStudent,
        seed: UInt64,
        logger: Logger = Logger(label: "curriculum.rollout")
    ) async throws -> SimulatedStudent {
        var student = initial
        var random = Xoshiro256StarStar(seed: seed)
        var step = 0
        while steps.map({ step < $0 }) ?? true {
            try Task.checkCancellation()
            let batch = try await agent.nextBatch(size: promptsPerBatch)
            var statistics: [RolloutStatistics] = []
            for (category, prompts) in zip(batch.categories, batch.counts) where prompts > 0 {
                if let rolled = student.rollOut(category: category, prompts: prompts, using: &random) {
                    statistics.append(rolled)
                }
            }
            student.train(on: statistics)
            try await agent.report(batch: batch, statistics: statistics.map(\.advantageStatistics))
            step += 1
            if stepDelay > .zero { try await Task.sleep(for: stepDelay) }
            if step % 100 == 0 {
                logger.debug("rollout progress", metadata: ["step": "\(step)", "policy_version": "\(batch.policyVersion)"])
            }
        }
        return student
    }
}

extension RolloutStatistics {
    /// The form a worker agent reports.
    public var advantageStatistics: AdvantageStatistics {
        AdvantageStatistics(
            category: category, count: count, sumAbsAdvantage: sumAbsAdvantage,
            sumSquaredAdvantage: sumSquaredAdvantage, sumReward: sumReward,
            groups: prompts, zeroVarianceGroups: zeroVariancePrompts)
    }
}
