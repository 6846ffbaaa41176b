import Curriculum
import Simulation

/// The staleness experiment where rollout time grows with difficulty: hard prompts give
/// long responses, long responses take longer, so reports on hard categories arrive staler.
/// Does a staleness bound starve the hard categories, and does weighting fix it?
enum DifficultyStaleness {
    static let rules: [(String, StalenessConfiguration)] = [
        ("none (constant 1)", .init(weighting: .constant)),
        ("polynomial (s+1)^-0.5", .init(weighting: .polynomial(a: 0.5))),
        ("hinge a=0.5 b=4", .init(weighting: .hinge(a: 0.5, b: 4))),
        ("hard bound s <= 4", .init(weighting: .constant, maximum: 4)),
        ("hard bound s <= 2", .init(weighting: .constant, maximum: 2)),
        ("hard bound s <= 1", .init(weighting: .constant, maximum: 1)),
    ]

    static func run(
        seeds: Int, steps: Int, onStep: @escaping @Sendable (Comparison.Progress) -> Void
    ) async throws -> String {
        var base = RunConfiguration(
            curriculum: Experiments.sec, workers: 16, steps: steps, mode: .asynchronous,
            generationDelay: .milliseconds(2), rolloutTimeGrowth: 2)
        var summaries: [(String, CurriculumSummary)] = []
        for (label, rule) in rules {
            base.staleness = rule
            let summary = try await Comparison.run(
                curricula: [Experiments.sec], base: base, seeds: seeds, onStep: onStep)[0]
            summaries.append((label, summary))
        }
        let levels = base.student.levels
        let levelNames = (0..<levels).map { "L\($0)" }
        let main = summaries.map { label, s in
            [label, s.stepsToTargetText, s.finalHardest.format(), s.finalMean.format(),
             s.meanStaleness.format(), s.maxStaleness.format(decimals: 1), s.rejectedShare.format(decimals: 3)]
        }
        let shares = summaries.map { label, s in [label] + (0..<levels).map { s.mergedShare(level: $0).format() } }
        let sampled = summaries.map { label, s in [label] + (0..<levels).map { s.sampledShare(level: $0).format() } }
        let rejected = summaries.map { label, s in
            [label] + (0..<levels).map { s.rejectedFraction(level: $0).format() }
        }
        return """
            ## Staleness when rollout time grows with difficulty

            SEC (alpha 0.5, tau 0.2), \(base.workers) asynchronous workers over nng ipc. Each worker batch is \
            \(base.promptsPerWorker) prompts of one category drawn from the newest policy (B = \
            \(base.effectivePromptsPerStep) per step) and takes 2 ms x 2^level to roll out: 2 ms on L0, \
            \(2 << (levels - 1)) ms on L\(levels - 1), as long responses to hard prompts take longer. So reports on hard \
            categories arrive more policy versions late. The coordinator weights each report by its staleness s or \
            refuses it (hard bound); the trainer trains on every rollout either way, so only the curriculum differs. \
            \(steps) steps, \(seeds) seeds (1...\(seeds)), mean ± std; steps to \(base.targetAccuracy) on the hardest \
            level over the seeds that reached it. Staleness columns: training steps between the student snapshot \
            a rollout used and the step that trained on it.

            \(ComparisonTable.grid(
                header: ["weighting", "steps to \(base.targetAccuracy) on hardest", "final acc. hardest",
                         "final acc. all", "mean staleness", "max staleness", "share of reports rejected"],
                rows: main, markdown: true))

            Each level's share of the prompts the curriculum drew (what the trainer trained on):

            \(ComparisonTable.grid(header: ["weighting"] + levelNames, rows: sampled, markdown: true))

            Each level's share of the samples the coordinator merged (what the curriculum learned from):

            \(ComparisonTable.grid(header: ["weighting"] + levelNames, rows: shares, markdown: true))

            The fraction of each level's reports the coordinator refused:

            \(ComparisonTable.grid(header: ["weighting"] + levelNames, rows: rejected, markdown: true))
            """
    }
}
