import Foundation
import Simulation

/// One curriculum's runs over several seeds, reduced to means and standard deviations.
public struct CurriculumSummary: Sendable {
    public var curriculum: String
    public var runs: [RunResult]

    public init(curriculum: String, runs: [RunResult]) {
        self.curriculum = curriculum
        self.runs = runs
    }

    public var levels: Int { runs.first?.levels ?? 0 }
    public var targetAccuracy: Double { runs.first?.targetAccuracy ?? 0 }

    public func finalAccuracy(level: Int) -> Statistic {
        Statistic(runs.map { $0.finalAccuracyByLevel[level] })
    }

    /// The level's share of the samples the coordinator merged.
    public func mergedShare(level: Int) -> Statistic {
        Statistic(runs.map { $0.mergedShareByLevel[level] })
    }

    /// The level's share of the prompts the curriculum drew.
    public func sampledShare(level: Int) -> Statistic {
        Statistic(runs.map { $0.sampledShareByLevel[level] })
    }

    /// The fraction of the level's reported samples the coordinator refused.
    public func rejectedFraction(level: Int) -> Statistic {
        Statistic(runs.map { $0.rejectedFractionByLevel[level] })
    }

    public var finalHardest: Statistic { Statistic(runs.map(\.finalHardestAccuracy)) }
    public var finalMean: Statistic { Statistic(runs.map(\.finalMeanAccuracy)) }
    public var meanStaleness: Statistic { Statistic(runs.map(\.meanStaleness)) }
    public var maxStaleness: Statistic { Statistic(runs.map { Double($0.maxStaleness) }) }
    public var rejectedShare: Statistic {
        Statistic(runs.map { Double($0.reportsRejected) / Double(max(1, $0.reportsAccepted + $0.reportsRejected)) })
    }

    /// Steps to the target over the runs that reached it, and how many did.
    public var stepsToTarget: (statistic: Statistic, reached: Int) {
        let reached = runs.compactMap(\.stepsToTarget).map(Double.init)
        return (Statistic(reached), reached.count)
    }

    /// "mean ± std (k/n)", or "not reached (0/n)".
    public var stepsToTargetText: String {
        let (statistic, reached) = stepsToTarget
        guard reached > 0 else { return "not reached (0/\(runs.count))" }
        return "\(statistic.format(decimals: 0)) (\(reached)/\(runs.count))"
    }

    /// The per-step mean over seeds of `value`.
    public func meanCurve(_ value: (SimulatedTrainer.StepRecord) -> Double) -> [Double] {
        let length = runs.map(\.records.count).min() ?? 0
        return (0..<length).map { step in
            runs.reduce(0) { $0 + value($1.records[step]) } / Double(runs.count)
        }
    }
}

/// A mean and a sample standard deviation.
public struct Statistic: Sendable, Hashable {
    public var mean: Double
    public var std: Double
    public var count: Int

    public init(_ values: [Double]) {
        let mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        self.count = values.count
        self.mean = mean
        self.std = values.count < 2 ? 0 : (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }

    public func format(decimals: Int = 2) -> String {
        String(format: "%.\(decimals)f ± %.\(decimals)f", mean, std)
    }
}
