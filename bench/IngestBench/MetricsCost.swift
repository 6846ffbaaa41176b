import Foundation
import Monitoring

/// `IngestBench --metrics`: ingest with metrics recorded into a Prometheus registry against
/// the same cell with metrics off, `pairs` times each, alternating so that drift in the
/// machine's speed falls on both sides alike (`--pairs N`, 3 by default). Prints the medians
/// and their ratio.
func measureMetricsCost() async throws {
    let pairs = option("--pairs")?.first.flatMap { Int($0) } ?? 3
    emit("IngestBench --metrics: \(reportsPerCell) reports per cell, \(pairs) alternating pairs, medians")
    emit("")
    emit("| layout | agents | reports/frame | metrics off reports/s | metrics on reports/s | on/off | exactly once |")
    emit("|---|---:|---:|---:|---:|---:|---|")
    let layouts = option("--layouts").map { names in [Layout.inProcess, .crossProcess].filter { names.contains($0.name) } }
    var failures: [String] = []
    for layout in layouts ?? [.inProcess, .crossProcess] {
        for agents in agentCounts {
            var off: [IngestResult] = []
            var on: [IngestResult] = []
            for _ in 0..<pairs {
                off.append(try await measureIngest(agents: agents, layout: layout, batched: true))
                on.append(try await measureIngest(agents: agents, layout: layout, batched: true, metrics: MetricsRegistry()))
            }
            let offRate = median(off.map(\.rate))
            let onRate = median(on.map(\.rate))
            let exact = (off + on).allSatisfy(\.exactlyOnce)
            if !exact { failures.append("\(layout.rawValue) \(agents)") }
            emit("| \(layout.rawValue) | \(agents) | " + String(format: "%.1f", median(on.map(\.reportsPerFrame)))
                + " | \(format(offRate)) | \(format(onRate)) | " + String(format: "%.3f", onRate / offRate)
                + " | \(exact ? "yes" : "NO") |")
        }
    }
    if !failures.isEmpty {
        for failure in failures { emit("EXACTLY-ONCE CHECK FAILED: \(failure)") }
        exit(1)
    }
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}
