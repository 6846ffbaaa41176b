import Coordinator
import CurriculumTestSupport
import Curriculum
import CurriculumWire
import WorkerAgent

/// A coordinator and its serving task, for tests.
struct RunningCoordinator {
    let coordinator: Coordinator
    let task: Task<Void, any Error>

    init(_ configuration: CoordinatorConfiguration) throws {
        let coordinator = try Coordinator(configuration: configuration)
        self.coordinator = coordinator
        self.task = Task { try await coordinator.run() }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// A worker agent and its protocol task, for tests.
struct RunningAgent {
    let agent: WorkerAgent
    let task: Task<Void, any Error>

    init(_ configuration: WorkerAgentConfiguration, categories: [String] = []) throws {
        let agent = try WorkerAgent(configuration: configuration, categories: categories)
        self.agent = agent
        self.task = Task { try await agent.run() }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Exact per-category sums, built from values that are multiples of 1/64 and
/// small enough that every partial sum is exact in binary floating point: the
/// totals then match whatever order the coordinator merged reports in.
struct ExactTotals: Equatable, CustomStringConvertible {
    var count: [String: Int] = [:]
    var sumAbsAdvantage: [String: Double] = [:]
    var sumSquaredAdvantage: [String: Double] = [:]
    var sumReward: [String: Double] = [:]
    var reports: [String: Int] = [:]

    mutating func add(_ statistics: AdvantageStatistics) {
        count[statistics.category, default: 0] += statistics.count
        sumAbsAdvantage[statistics.category, default: 0] += statistics.sumAbsAdvantage
        sumSquaredAdvantage[statistics.category, default: 0] += statistics.sumSquaredAdvantage
        sumReward[statistics.category, default: 0] += statistics.sumReward
        reports[statistics.category, default: 0] += 1
    }

    mutating func add(_ other: ExactTotals) {
        count.merge(other.count, uniquingKeysWith: +)
        sumAbsAdvantage.merge(other.sumAbsAdvantage, uniquingKeysWith: +)
        sumSquaredAdvantage.merge(other.sumSquaredAdvantage, uniquingKeysWith: +)
        sumReward.merge(other.sumReward, uniquingKeysWith: +)
        reports.merge(other.reports, uniquingKeysWith: +)
    }

    init() {}

    init(_ totals: [String: CategoryTotals]) {
        for (category, totals) in totals {
            count[category] = totals.count
            sumAbsAdvantage[category] = totals.sumAbsAdvantage
            sumSquaredAdvantage[category] = totals.sumSquaredAdvantage
            sumReward[category] = totals.sumReward
            reports[category] = totals.reports
        }
    }

    var description: String {
        count.keys.sorted().map { category in
            "\(category): n=\(count[category]!) reports=\(reports[category]!) |A|=\(sumAbsAdvantage[category]!)"
        }.joined(separator: "; ")
    }

    /// Deterministic dyadic statistics for report `index` of `worker`.
    static func statistics(worker: Int, index: Int, categories: [String]) -> [AdvantageStatistics] {
        categories.enumerated().compactMap { offset, category in
            let n = (worker * 7 + index * 3 + offset) % 9
            guard n > 0 else { return nil }
            return AdvantageStatistics(
                category: category, count: n,
                sumAbsAdvantage: Double((index + offset) % 50) / 64,
                sumSquaredAdvantage: Double((index * 5 + worker) % 40) / 64,
                sumReward: Double(n * ((index + worker) % 2)))
        }
    }
}

extension WorkerAgent {
    /// Reports `count` batches of ``ExactTotals/statistics(worker:index:categories:)``, each
    /// drawn first; returns what it reported.
    func reportExactly(worker: Int, count: Int, categories: [String]) async throws -> ExactTotals {
        var produced = ExactTotals()
        for index in 0..<count {
            let batch = try await withTimeout(.seconds(15)) { try await self.nextBatch(size: 8) }
            let statistics = ExactTotals.statistics(worker: worker, index: index, categories: categories)
            statistics.forEach { produced.add($0) }
            try await report(policyVersion: batch.policyVersion, statistics: statistics)
        }
        return produced
    }
}
