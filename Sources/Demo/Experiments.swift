import Curriculum
import Foundation
import Simulation

/// The experiments behind docs/results.md, each a Markdown section with its table.
/// Every number in them is whatever the runs gave.
public enum Experiments {
    public enum Name: String, Sendable, CaseIterable {
        case secVersusRandom = "sec-vs-random"
        case scaling
        case staleness
        case difficultyStaleness = "difficulty-staleness"
        case policies
    }

    /// SEC as the paper runs it on two-dimensional categories: alpha 0.5, tau 0.2.
    public static let sec = CurriculumChoice.policy(.sec(.init(alpha: 0.5, tau: 0.2)))

    public static func run(
        _ name: Name, seeds: Int, steps: Int,
        onStep: @escaping @Sendable (Comparison.Progress) -> Void = { _ in }
    ) async throws -> String {
        switch name {
        case .secVersusRandom: try await secVersusRandom(seeds: seeds, steps: steps, onStep: onStep)
        case .scaling: try await scaling(seeds: seeds, steps: steps, onStep: onStep)
        case .staleness: try await staleness(seeds: seeds, steps: steps, onStep: onStep)
        case .difficultyStaleness: try await DifficultyStaleness.run(seeds: seeds, steps: steps, onStep: onStep)
        case .policies: try await newerPolicies(seeds: seeds, steps: steps, onStep: onStep)
        }
    }

    /// SEC against uniform random (and DUMP and the easy-to-hard order), 8 synchronous workers.
    static func secVersusRandom(
        seeds: Int, steps: Int, onStep: @escaping @Sendable (Comparison.Progress) -> Void
    ) async throws -> String {
        let base = RunConfiguration(curriculum: sec, workers: 8, steps: steps)
        let summaries = try await Comparison.run(
            curricula: [sec, .policy(.uniform), .policy(.dump(.init())), .easyToHard], base: base, seeds: seeds,
            onStep: onStep)
        return """
            ## SEC against random (and DUMP, easy-to-hard)

            \(base.workers) worker agents over nng ipc, synchronous, \(steps) steps of \(base.effectivePromptsPerStep) \
            prompts x \(base.student.groupSize) responses, \(seeds) seeds (1...\(seeds)). Final accuracy per \
            difficulty level L0 (easiest) to L\(base.student.levels - 1) (hardest), mean ± std over seeds; steps \
            until the hardest level's accuracy first reaches \(base.targetAccuracy), over the seeds that reached it.

            \(ComparisonTable.markdown(summaries))
            """
    }

    /// SEC and random against the curricula practitioners moved to since.
    static func newerPolicies(
        seeds: Int, steps: Int, onStep: @escaping @Sendable (Comparison.Progress) -> Void
    ) async throws -> String {
        let base = RunConfiguration(curriculum: sec, workers: 8, steps: steps)
        let floored = CurriculumChoice.newerPolicies(student: base.student, steps: steps, floor: 0.01).prefix(3)
        let curricula = [sec, .policy(.uniform)] + CurriculumChoice.newerPolicies(student: base.student, steps: steps)
            + floored
        let summaries = try await Comparison.run(curricula: curricula, base: base, seeds: seeds, onStep: onStep)
        return """
            ## SEC against the newer curricula

            The same setup as above (\(base.workers) synchronous workers, \(steps) steps, \(seeds) seeds): \
            learnability p(1 - p), group-informative 1 - p^G - (1 - p)^G with G = \(base.student.groupSize) (using \
            the reports' zero-variance group counts), band-pass admission of pass rates in [0.1, 0.9] (weighted by \
            the informative-group fraction), discounted Thompson sampling (gamma 0.99) with a 1% floor, and a \
            coordinator-side mixture scheduled from the easiest level to the hardest (one level per \
            \(steps / base.student.levels) steps, interpolated); the three pass-rate policies also with a 1% floor \
            (`--min-probability 0.01`). Pass rates are over each category's last 256 samples. docs/replay.md \
            defines each.

            \(ComparisonTable.markdown(summaries))
            """
    }

    /// One synchronous worker against 64 asynchronous ones: the same batch per step and
    /// the same number of steps, so the same total samples.
    static func scaling(
        seeds: Int, steps: Int, onStep: @escaping @Sendable (Comparison.Progress) -> Void
    ) async throws -> String {
        let setups: [(String, RunConfiguration)] = [
            ("1 worker, synchronous", RunConfiguration(curriculum: sec, workers: 1, steps: steps, mode: .synchronous)),
            ("64 workers, asynchronous", RunConfiguration(curriculum: sec, workers: 64, steps: steps, mode: .asynchronous)),
        ]
        var rows: [[String]] = []
        for (label, base) in setups {
            let summary = try await Comparison.run(curricula: [sec], base: base, seeds: seeds, onStep: onStep)[0]
            rows.append([
                label, "\(base.effectivePromptsPerStep * steps)", summary.finalHardest.format(),
                summary.finalMean.format(), summary.stepsToTargetText, summary.meanStaleness.format(),
                Statistic(summary.runs.map(\.seconds)).format(decimals: 1),
            ])
        }
        let header = [
            "setup (SEC)", "prompts in total", "final acc. hardest", "final acc. all",
            "steps to \(setups[0].1.targetAccuracy) on hardest", "mean staleness (steps)", "wall time (s)",
        ]
        return """
            ## 1 worker synchronous against 64 workers asynchronous

            SEC (alpha 0.5, tau 0.2), \(steps) steps of 256 prompts in both: the single worker draws all 256 \
            prompts of a step and waits for the training step; each of the 64 draws 4 prompts from the \
            newest policy it has, reports with share 1/64 and never waits, and the trainer steps whenever \
            256 prompts have arrived. Staleness: training steps between the student snapshot a rollout used \
            and the step that trained on it. \(seeds) seeds, mean ± std.

            \(ComparisonTable.grid(header: header, rows: rows, markdown: true))
            """
    }

    /// Heterogeneous workers: half of them 10x slower, so their reports arrive many
    /// versions late; how the coordinator weights such reports.
    static func staleness(
        seeds: Int, steps: Int, onStep: @escaping @Sendable (Comparison.Progress) -> Void
    ) async throws -> String {
        let rules: [(String, StalenessConfiguration)] = [
            ("none (constant 1)", .init(weighting: .constant)),
            ("polynomial (s+1)^-0.5", .init(weighting: .polynomial(a: 0.5))),
            ("exponential exp(-0.5 s)", .init(weighting: .exponential(lambda: 0.5))),
            ("hinge a=0.5 b=4", .init(weighting: .hinge(a: 0.5, b: 4))),
            ("hard bound s <= 4", .init(weighting: .constant, maximum: 4)),
        ]
        var base = RunConfiguration(
            curriculum: sec, workers: 16, steps: steps, mode: .asynchronous, generationDelay: .milliseconds(2),
            slowWorkers: 8, slowdown: 10)
        var rows: [[String]] = []
        for (label, rule) in rules {
            base.staleness = rule
            let summary = try await Comparison.run(curricula: [sec], base: base, seeds: seeds, onStep: onStep)[0]
            rows.append([
                label, summary.finalHardest.format(), summary.finalMean.format(), summary.stepsToTargetText,
                summary.meanStaleness.format(), summary.maxStaleness.format(decimals: 1),
                summary.rejectedShare.format(decimals: 3),
            ])
        }
        let header = [
            "weighting", "final acc. hardest", "final acc. all", "steps to \(base.targetAccuracy) on hardest",
            "mean staleness (steps)", "max staleness (steps)", "share of reports rejected",
        ]
        return """
            ## Staleness: heterogeneous workers

            SEC (alpha 0.5, tau 0.2), \(base.workers) asynchronous workers over nng ipc, each batch 16 prompts \
            (B = 256); \(base.workers - base.slowWorkers) workers take 2 ms to generate a batch, \(base.slowWorkers) take \
            20 ms (10x slower), so their reports arrive many policy versions late (max staleness column) while \
            making up only about a tenth of the data (hence the small mean). The coordinator weights each report by its \
            staleness s (policy versions behind) or refuses it (hard bound); the trainer trains on every \
            rollout either way. Staleness columns: training steps between the student snapshot a rollout used \
            and the step that trained on it. \(steps) steps, \(seeds) seeds, mean ± std.

            \(ComparisonTable.grid(header: header, rows: rows, markdown: true))
            """
    }
}
