import Logging
import WorkerAgent

/// A rollout worker's main loop on the simulated student: draw a batch from the
/// curriculum, roll it out, report the advantage statistics, train, repeat.
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

    /// Runs against `agent` with a student of its own. Returns the student as trained.
    @discardableResult
    public func run(
        agent: WorkerAgent,
        student initial: SimulatedStudent,
        logger: Logger = Logger(label: "curriculum.rollout")
    ) async throws -> SimulatedStudent {
        var student = initial
        var step = 0
        while steps.map({ step < $0 }) ?? true {
            try Task.checkCancellation()
            let batch = try await agent.nextBatch(size: promptsPerBatch)
            var statistics: [RolloutStatistics] = []
            for (category, prompts) in zip(batch.categories, batch.counts) where prompts > 0 {
                if let rolled = student.rollOut(category: category, prompts: prompts) {
                    statistics.append(rolled)
                }
            }
            student.train(on: statistics)
            try await agent.report(
                batch: batch,
                statistics: statistics.map {
                    AdvantageStatistics(
                        category: $0.category, count: $0.count, sumAbsAdvantage: $0.sumAbsAdvantage,
                        sumSquaredAdvantage: $0.sumSquaredAdvantage, sumReward: $0.sumReward)
                })
            step += 1
            if stepDelay > .zero { try await Task.sleep(for: stepDelay) }
            if step % 100 == 0 {
                logger.debug("rollout progress", metadata: ["step": "\(step)", "policy_version": "\(batch.policyVersion)"])
            }
        }
        return student
    }
}
