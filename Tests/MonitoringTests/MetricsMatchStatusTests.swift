import Coordinator
import CurriculumTestSupport
import CurriculumWire
import Foundation
import Monitoring
import NNG
import Testing
import WorkerAgent

/// At the end of a run, what Prometheus would scrape from `/metrics` equals what
/// `/api/status` (the `Status` of `curriculum status`) says, number for number.
@Suite(.timeLimit(.minutes(2)))
struct MetricsMatchStatusTests {
    static let categories = ["math/easy", "math/hard", "code/easy"]

    @Test("the counters in /metrics equal the Status numbers; probabilities sum to 1; the agent timed every ack")
    func metricsEqualStatus() async throws {
        let prefix = "inproc://metrics-match-\(UInt64.random(in: 0...UInt64.max))"
        let registry = MetricsRegistry()
        let coordinator = try Coordinator(
            configuration: CoordinatorConfiguration(
                broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests", statusURL: "\(prefix)-status", reportsURL: "\(prefix)-reports", categories: Self.categories,
                publishEveryReports: 8, publishInterval: .milliseconds(50), heartbeatInterval: .milliseconds(200)),
            metricsFactory: registry.factory)
        let coordinatorTask = Task { try await coordinator.run() }
        defer { coordinatorTask.cancel() }
        let server = MonitoringServer(address: try MonitoringAddress("127.0.0.1:0"), metrics: registry) {
            await coordinator.statusIfReady()
        }
        let (bound, announce) = AsyncStream<Int>.makeStream()
        let serverTask = Task { try await server.run(samplingEvery: .milliseconds(100)) { announce.yield($0) } }
        defer { serverTask.cancel() }
        let port = try #require(await bound.first { _ in true })

        let agentRegistry = MetricsRegistry()
        let agent = try WorkerAgent(
            configuration: WorkerAgentConfiguration(
                workerID: "w1", broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests", stepShare: 1,
                seed: 3, retransmitTimeout: .milliseconds(100), joinRetryInterval: .milliseconds(50),
                tickInterval: .milliseconds(10)),
            metricsFactory: agentRegistry.factory)
        let agentTask = Task { try await agent.run() }
        defer { agentTask.cancel() }
        let batch = try await withTimeout { try await agent.nextBatch(size: 30) }
        for round in 0..<40 {
            try await agent.report(batch: batch, statistics: Self.categories.map {
                AdvantageStatistics(category: $0, advantages: [Double(round % 5) / 8, -0.25], rewards: [1, 0])
            })
        }

        // An intruder's frames: a report sent again and again (accepted once, then
        // duplicates), garbage, and a report numbered 0.
        let intruder = try Socket(.publisher)
        defer { intruder.closeInBackground() }
        try intruder.dial("\(prefix)-reports")
        let replayed = Wire.Report(
            worker: Wire.WorkerIdentity(workerID: "intruder", incarnation: 1), sequence: 1, stepShare: 1,
            categories: [Wire.CategoryStats(category: "math/hard", count: 2, sumAbsAdvantage: 0.5)])
        var numberedZero = replayed
        numberedZero.sequence = 0
        let frames = [WireCodec.encode(.report(replayed)), [0x52, 0x45, 0x50, 0x54, 0xFF, 0xFF], WireCodec.encode(.report(numberedZero))]
        // Frames sent before the connection completes are lost: send until all three counted.
        #expect(await eventually(within: .seconds(20)) {
            for frame in frames { try? await intruder.send(frame) }
            let counters = await coordinator.counters
            return counters.duplicatesIgnored > 0 && counters.rejectionsByReason.count >= 2
        })
        try await agent.drain(timeout: .seconds(10))

        // Quiescent now: once a policy broadcast has followed the last merge, every gauge
        // and counter holds still, and the two views must agree exactly.
        var scrape = PrometheusText("")
        var status = Wire.Status()
        let agreed = await eventually(within: .seconds(10)) {
            guard let metrics = try? await onOwnThread({ try RawHTTPConnection.get("/metrics", port: port) }),
                let json = try? await onOwnThread({ try RawHTTPConnection.get("/api/status", port: port) }),
                metrics.status == 200, json.status == 200, let decoded = try? Wire.Status(jsonString: json.body)
            else { return false }
            scrape = PrometheusText(metrics.body)
            status = decoded
            let samples = scrape.byLabel("curriculum_category_samples", "category")
            return status.totals.allSatisfy { samples[$0.category] == Double($0.count) }
                && scrape["curriculum_policy_version"] == Double(status.policy.version)
                // Membership gauges follow the once-a-second status cadence.
                && scrape["curriculum_workers", ["state": "left"]] == 1
        }
        #expect(agreed, "the scrape's gauges never matched the status")
        #expect(scrape["curriculum_reports_accepted_total"] == Double(status.reportsAccepted))
        #expect(status.reportsAccepted == 41)
        #expect(scrape["curriculum_reports_rejected_total"] == Double(status.reportsRejected))
        #expect(scrape["curriculum_reports_duplicate_total"] == Double(status.duplicatesIgnored))
        #expect(status.duplicatesIgnored > 0)
        #expect(scrape.byLabel("curriculum_rejections_total", "reason") == status.rejections.mapValues { Double($0) })
        #expect(status.rejections["sequence_zero"] ?? 0 > 0)
        let probabilities = scrape.byLabel("curriculum_category_probability", "category")
        #expect(Set(probabilities.keys) == Set(Self.categories))
        #expect(abs(probabilities.values.reduce(0, +) - 1) < 1e-9)
        // w1 left; the intruder, heard from, is active.
        var byState: [String: Double] = ["active": 0, "lost": 0, "left": 0, "replaced": 0]
        for worker in status.workers { byState[worker.state, default: 0] += 1 }
        #expect(scrape.byLabel("curriculum_workers", "state") == byState)
        #expect(byState["left"] == 1 && byState["active"] == 1)

        // The agent timed each of its 40 reports from sending to acknowledgement.
        let agentScrape = PrometheusText(agentRegistry.exposition())
        #expect(agentScrape["curriculum_worker_report_ack_seconds_count", ["worker": "w1"]] == 40)
    }
}
