// A rollout worker that embeds `WorkerAgent`: it joins the coordinator, draws batches from the
// newest curriculum, reports made-up advantages for them, drains, and prints one JSON line of
// what it reported, to hold against `curriculum status --json`.
import Foundation
import WorkerAgent

let options: Options
do {
    options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("EmbeddedWorker: \(error)\n".utf8))
    exit(2)
}

let agent = try WorkerAgent(
    configuration: WorkerAgentConfiguration(
        workerID: options.workerID, broadcastURL: options.broadcastURL, requestsURL: options.requestsURL,
        stepShare: 1, seed: 7),
    categories: options.categories)
let protocolTask = Task { try await agent.run() }

/// What this worker reported per category: samples, sum |A|, sum A², sum of rewards.
var reported: [String: [Double]] = [:]
for _ in 0..<options.steps {
    let batch = try await agent.nextBatch(size: options.batchSize)
    var statistics: [AdvantageStatistics] = []
    for (category, count) in zip(batch.categories, batch.counts) where count > 0 {
        // Stand-ins for a real rollout: rewards in eighths and advantages against a fixed baseline
        // of 0.5, so every sum is exact in any order and the coordinator's totals must match.
        let sampleRewards = (0..<count).map { _ in Double(Int.random(in: 0...8)) / 8 }
        let advantages = sampleRewards.map { $0 - 0.5 }
        let summary = AdvantageStatistics(category: category, advantages: advantages, rewards: sampleRewards)
        statistics.append(summary)
        let sums = [Double(summary.count), summary.sumAbsAdvantage, summary.sumSquaredAdvantage, summary.sumReward]
        reported[category] = zip(reported[category] ?? [0, 0, 0, 0], sums).map { $0 + $1 }
    }
    try await agent.report(batch: batch, statistics: statistics)
}
// Every report acknowledged, then leave.
try await agent.drain(timeout: .seconds(30))
protocolTask.cancel()

/// The line this worker prints when it is done.
struct Summary: Encodable {
    var worker: String
    var reports: UInt64
    var acknowledged: UInt64
    var totals: [String: [Double]]
}

let counters = await agent.counters
let encoder = JSONEncoder()
encoder.outputFormatting = .sortedKeys
let summary = Summary(
    worker: options.workerID, reports: counters.reportsQueued, acknowledged: counters.reportsAcknowledged,
    totals: reported)
print(String(decoding: try encoder.encode(summary), as: UTF8.self))
