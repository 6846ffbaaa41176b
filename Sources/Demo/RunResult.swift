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
    /// Samples the workers reported, and samples the coordinator merged (the rest it
    /// refused), per category in ``categories`` order.
    public var reportedSamples: [Int]
    public var mergedSamples: [Int]
    public var seconds: Double

    /// Each level's share of all merged samples.
    public var mergedShareByLevel: [Double] {
        let total = Double(max(1, mergedSamples.reduce(0, +)))
        return byLevel(mergedSamples).map { Double($0) / total }
    }

    /// Each level's share of the prompts the curriculum drew, averaged over steps.
    public var sampledShareByLevel: [Double] {
        var sums = [Double](repeating: 0, count: levels)
        for record in records {
            for (c, p) in record.probabilities.enumerated() where levels > 0 { sums[c % levels] += p }
        }
        return sums.map { records.isEmpty ? 0 : $0 / Double(records.count) }
    }

    /// Each level's fraction of reported samples that the coordinator refused; with batches
    /// of one category and one size, the fraction of that level's reports refused.
    public var rejectedFractionByLevel: [Double] {
        zip(byLevel(reportedSamples), byLevel(mergedSamples)).map { reported, merged in
            reported > 0 ? Double(reported - merged) / Double(reported) : 0
        }
    }

    /// Category counts summed per level (category c is level c % levels).
    private func byLevel(_ counts: [Int]) -> [Int] {
        var sums = [Int](repeating: 0, count: levels)
        for (c, n) in counts.enumerated() where levels > 0 { sums[c % levels] += n }
        return sums
    }

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
