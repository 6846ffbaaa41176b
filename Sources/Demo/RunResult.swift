import Simulation

/// What one run produced.
public struct RunResult: Sendable, Hashable, Codable {
    public var curriculum: String
    public var seed: UInt64
    public var categories: [String]
    public var levels: Int
    public var targetAccuracy: Double
    /// One record per training step.
    public var records: [SimulatedTrainer.StepRecord]
    public var reportsAccepted: UInt64
    public var reportsRejected: UInt64
    public var finalPolicyVersion: UInt64
    public var seconds: Double

    public var finalAccuracyByLevel: [Double] { records.last?.accuracyByLevel ?? [] }
    public var finalHardestAccuracy: Double { finalAccuracyByLevel.last ?? 0 }
    public var finalMeanAccuracy: Double { records.last?.meanAccuracy ?? 0 }

    /// The first step after which the hardest level's accuracy reached the target; nil if it never did.
    public var stepsToTarget: Int? {
        records.first { ($0.accuracyByLevel.last ?? 0) >= targetAccuracy }?.step
    }

    /// The stalest rollout any step trained on.
    public var maxStaleness: Int { records.map(\.maxStaleness).max() ?? 0 }

    /// Mean over steps of the rollouts' staleness in training steps.
    public var meanStaleness: Double {
        records.isEmpty ? 0 : records.reduce(0) { $0 + $1.meanStaleness } / Double(records.count)
    }
}
