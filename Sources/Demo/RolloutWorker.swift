import Curriculum
import SimulatedWorker
import Simulation
import WorkerAgent

/// One rollout worker of the demo: its own worker agent (its own nng sockets), its own
/// seeded reward stream, and the shared trainer.
///
/// Per batch: take a snapshot of the shared student, draw b prompts from the newest
/// curriculum (or from the easy-to-hard schedule), wait out the generation time, roll
/// out against the snapshot, report the advantage statistics to the coordinator, and
/// hand the rollouts to the trainer. In synchronous mode it then waits for the next
/// policy version, so every batch of step t is drawn from version t.
///
/// With a rollout time growing per level, a batch is one category's prompts, drawn from the
/// curriculum, and takes longer the harder its level (see ``RunConfiguration``).
struct RolloutWorker: Sendable {
    let agent: WorkerAgent
    let trainer: SimulatedTrainer
    let promptsPerBatch: Int
    let schedule: EasyToHardSchedule?
    let generationDelay: Duration
    let rolloutTimeGrowth: Double?
    let levels: Int
    let seed: UInt64

    /// Runs until the trainer is done; returns the samples reported per category, in the
    /// student's category order.
    func run() async throws -> [Int] {
        var random = Xoshiro256StarStar(seed: seed)
        let allocator = try BatchAllocator()
        var drawnVersion: UInt64?
        var reported: [Int] = []
        while !(await trainer.isFinished) {
            if trainer.mode == .synchronous, let drawnVersion {
                _ = try await agent.nextPolicy(after: drawnVersion)
            } else if trainer.mode == .asynchronous {
                // A credit window: never more than a few reports in flight per worker.
                try await agent.waitUntilUnacknowledged(atMost: 8)
            }
            let student = await trainer.snapshot()
            let policy = try await agent.currentPolicy()
            let categories = student.categories
            if reported.isEmpty { reported = [Int](repeating: 0, count: categories.count) }
            var delay = generationDelay
            let version: UInt64
            let counts: [Int]
            let probabilities: [Double]
            if let schedule {
                probabilities = schedule.probabilities(atStep: student.step)
                let distribution = CurriculumDistribution(
                    categories: categories, probabilities: probabilities, values: probabilities)
                counts = try allocator.allocate(batchSize: promptsPerBatch, distribution: distribution, using: &random)
                version = policy.version
            } else if let growth = rolloutTimeGrowth {
                let drawn = try await agent.nextBatch(size: 1)
                let category = drawn.assignments.first
                counts = categories.map { $0 == category ? promptsPerBatch : 0 }
                let level = categories.firstIndex { $0 == category }.map { $0 % levels } ?? 0
                delay = generationDelay * (0..<level).reduce(1.0) { factor, _ in factor * growth }
                let published = Dictionary(
                    uniqueKeysWithValues: zip(policy.distribution.categories, policy.distribution.probabilities))
                probabilities = categories.map { published[$0] ?? 0 }
                version = drawn.policyVersion
            } else {
                let batch = try await agent.nextBatch(size: promptsPerBatch)
                let drawn = Dictionary(uniqueKeysWithValues: zip(batch.categories, batch.counts))
                counts = categories.map { drawn[$0] ?? 0 }
                let published = Dictionary(
                    uniqueKeysWithValues: zip(policy.distribution.categories, policy.distribution.probabilities))
                probabilities = categories.map { published[$0] ?? 0 }
                version = batch.policyVersion
            }
            drawnVersion = version
            if delay > .zero { try await Task.sleep(for: delay) }
            var statistics: [RolloutStatistics] = []
            for (category, prompts) in zip(categories, counts) where prompts > 0 {
                if let rolled = student.rollOut(category: category, prompts: prompts, using: &random) {
                    statistics.append(rolled)
                }
            }
            // Every category is listed, n = 0 for those not drawn, so the share-aware
            // merge moves each arm by exactly one SEC step per version (see SECPolicy).
            let drawnCategories = Set(statistics.map(\.category))
            let empty = categories.filter { !drawnCategories.contains($0) }.map {
                AdvantageStatistics(category: $0, count: 0, sumAbsAdvantage: 0, sumSquaredAdvantage: 0, sumReward: 0)
            }
            try await agent.report(policyVersion: version, statistics: statistics.map(\.advantageStatistics) + empty)
            for rolled in statistics {
                if let c = categories.firstIndex(of: rolled.category) { reported[c] += rolled.count }
            }
            await trainer.submit(.init(
                statistics: statistics, prompts: promptsPerBatch, studentStep: student.step,
                probabilities: probabilities))
        }
        return reported
    }
}
