import CoreMetrics
import Simulation

/// Runs each curriculum over several seeds, one run after another (runs in parallel
/// would only compete for the same cores), and gathers the summaries.
public enum Comparison {
    /// Where a run is, for a progress line.
    public struct Progress: Sendable {
        public var curriculum: String
        public var seedIndex: Int
        public var seeds: Int
        public var steps: Int
        public var record: SimulatedTrainer.StepRecord
    }

    /// Seeds are `firstSeed, firstSeed + 1, ...`; every curriculum sees the same ones.
    public static func run(
        curricula: [CurriculumChoice],
        base: RunConfiguration,
        seeds: Int,
        firstSeed: UInt64 = 1,
        observer: RunObserver? = nil,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        onStep: @escaping @Sendable (Progress) -> Void = { _ in }
    ) async throws -> [CurriculumSummary] {
        var summaries: [CurriculumSummary] = []
        for curriculum in curricula {
            var runs: [RunResult] = []
            for k in 0..<seeds {
                var configuration = base
                configuration.curriculum = curriculum
                configuration.seed = firstSeed + UInt64(k)
                let name = curriculum.name
                let steps = configuration.steps
                runs.append(try await SimulationRun.run(
                    configuration, observer: observer, metricsFactory: metricsFactory
                ) { record in
                    onStep(Progress(curriculum: name, seedIndex: k, seeds: seeds, steps: steps, record: record))
                })
            }
            summaries.append(CurriculumSummary(curriculum: curriculum.name, runs: runs))
        }
        return summaries
    }
}
