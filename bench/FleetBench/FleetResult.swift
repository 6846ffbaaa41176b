import CurriculumWire
import FleetLoad
import Foundation

/// One run's figures: printed as a table row, or as JSON with `--json`.
struct FleetResult {
    var workers = 0
    var relays = 0
    var joinRate = 0.0
    var windowSeconds = 0.0
    var coordinatorCPUPercent = 0.0
    var coordinatorPeakRSSMiB = 0.0
    var generatorCPUPercent = 0.0
    /// All relays together.
    var relaysCPUPercent = 0.0
    var ackP50 = 0.0, ackP99 = 0.0, ackSamples = 0
    var policyP50 = 0.0, policyP99 = 0.0
    /// Bytes each identity received per second, by socket and topic.
    var perWorkerBytesPerSecond = (broadcast: [Topic: Double](), replies: [Topic: Double]())
    var coordinatorBytesPerReport = 0.0
    var retransmissions = 0
    var lostWorkers = 0
    var notLeft = 0
    var exactlyOnce = false
    var exactlyOnceDetail = ""
    var loadBefore = "", loadAfter = ""

    static let header = """
        | workers (join) | relays (CPU) | coord CPU | fleet CPU | coord peak RSS | report->ack p50 / p99 \
        | policy delay p50 / p99 | per-worker KB/s: broadcast (POLI / CTRL) + replies (ACKS / CTRL) \
        | coord B/report | retrans | lost | exactly-once | load |
        |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
        """

    var row: String {
        let broadcast = perWorkerBytesPerSecond.broadcast, replies = perWorkerBytesPerSecond.replies
        let perWorker = (broadcast.values.reduce(0, +) + replies.values.reduce(0, +)) / 1000
        func kilobytes(_ bytes: [Topic: Double], _ topics: [Topic]) -> String {
            topics.map { String(format: "%.2f", (bytes[$0] ?? 0) / 1000) }.joined(separator: " / ")
        }
        let relayCell = relays == 0 ? "direct" : String(format: "%d (%.0f%%)", relays, relaysCPUPercent)
        return String(
            format: "| %d (%.0f/s) | %@ | %.0f%% | %.0f%% | %.0f MiB | %.1f / %.1f ms | %.1f / %.1f ms | %.2f (%@ + %@) | %.0f | %d | %d | %@ | %@ -> %@ |",
            workers, joinRate, relayCell, coordinatorCPUPercent, generatorCPUPercent, coordinatorPeakRSSMiB, ackP50, ackP99,
            policyP50, policyP99, perWorker, kilobytes(broadcast, [.policy, .control]), kilobytes(replies, [.acks, .control]),
            coordinatorBytesPerReport, retransmissions, lostWorkers, exactlyOnce ? "exact" : "NOT exact", loadBefore, loadAfter)
    }

    var json: String {
        let object: [String: Any] = [
            "workers": workers, "join_rate": joinRate, "window_s": windowSeconds,
            "coordinator_cpu_percent": coordinatorCPUPercent, "coordinator_peak_rss_mib": coordinatorPeakRSSMiB,
            "generator_cpu_percent": generatorCPUPercent, "relays": relays, "relays_cpu_percent": relaysCPUPercent,
            "ack_latency_ms": ["p50": ackP50, "p99": ackP99, "samples": ackSamples],
            "policy_delay_ms": ["p50": policyP50, "p99": policyP99],
            "per_worker_bytes_per_s": [
                "broadcast": Dictionary(
                    uniqueKeysWithValues: perWorkerBytesPerSecond.broadcast.map { ($0.key.rawValue, $0.value) }),
                "replies": Dictionary(
                    uniqueKeysWithValues: perWorkerBytesPerSecond.replies.map { ($0.key.rawValue, $0.value) }),
            ],
            "coordinator_bytes_per_report": coordinatorBytesPerReport,
            "retransmissions": retransmissions, "workers_lost": lostWorkers, "workers_not_left": notLeft,
            "exactly_once": exactlyOnce, "exactly_once_detail": exactlyOnceDetail,
            "load_before": loadBefore, "load_after": loadAfter,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
