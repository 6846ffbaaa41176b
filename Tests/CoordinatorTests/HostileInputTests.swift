import Coordinator
import Curriculum
import CurriculumTestSupport
import CurriculumWire
import Foundation
import NNG
import Testing
import WorkerAgent

/// Every kind of hostile frame the issue names, sent to the coordinator's report socket
/// while an honest worker reports: each is refused under its own label and counted, and
/// the honest worker's totals come out exact.
@Suite(.timeLimit(.minutes(2)))
struct HostileInputTests {
    static let categories = ["easy", "medium", "hard"]

    /// A report from `worker` with one category, ready to be mangled.
    static func report(
        _ worker: String, sequence: UInt64 = 1, category: String = "easy", count: UInt64 = 4,
        sumAbsAdvantage: Double = 1
    ) -> Wire.Report {
        Wire.Report(
            worker: Wire.WorkerIdentity(workerID: worker, incarnation: 1), sequence: sequence, stepShare: 1,
            categories: [
                Wire.CategoryStats(
                    category: category, count: count, sumAbsAdvantage: sumAbsAdvantage, sumSquaredAdvantage: 1)
            ])
    }

    /// Each hostile frame and the label it must be counted under.
    static func hostileFrames() -> [(label: String, frame: [UInt8])] {
        let valid = WireCodec.encode(.report(report("mallory")))

        var wrongVersion = Wire.Envelope()
        wrongVersion.protocolVersion = 99
        wrongVersion.body = .report(report("mallory"))

        // Field 99 of Envelope, length-delimited: a message type from a future version.
        let unknownType = Array("REPT".utf8) + [0x08, 0x02, 0x9A, 0x06, 0x00]

        // A category whose bytes are not UTF-8: encode a placeholder, then swap its bytes.
        var notUTF8 = WireCodec.encode(.report(report("mallory", category: "@@")))
        let placeholder = notUTF8.indices.first { notUTF8[$0] == UInt8(ascii: "@") && notUTF8[$0 + 1] == UInt8(ascii: "@") }!
        notUTF8[placeholder] = 0xC3
        notUTF8[placeholder + 1] = 0x28

        return [
            ("truncated", [0x52, 0x45]),
            ("malformed", Array(valid.prefix(valid.count - 5))),
            ("unsupported_protocol_version", WireCodec.frame(wrongVersion, topic: .report)),
            ("unknown_message_type", unknownType),
            ("unknown_topic", Array("NOPE".utf8) + valid.dropFirst(4)),
            ("topic_mismatch", Array("BEAT".utf8) + valid.dropFirst(4)),
            ("unexpected_topic", WireCodec.encode(.policy(Wire.Policy()))),
            ("empty_category", WireCodec.encode(.report(report("mallory", sequence: 2, category: "")))),
            ("category_too_long", WireCodec.encode(.report(report(
                "mallory", sequence: 3, category: String(repeating: "x", count: 100_000))))),
            ("oversized", WireCodec.encode(.report(report(
                "mallory", sequence: 4, category: String(repeating: "y", count: 1 << 20))))),
            ("oversized", Array("REPT".utf8) + [UInt8](repeating: 0x5A, count: 3 << 20)),
            ("invalid_utf8", notUTF8),
            ("non_finite_value", WireCodec.encode(.report(report("mallory", sequence: 5, sumAbsAdvantage: .nan)))),
            ("non_finite_value", WireCodec.encode(.report(report(
                "mallory", sequence: 6, sumAbsAdvantage: .infinity)))),
            ("negative_count", WireCodec.encode(.report(report(
                "mallory", sequence: 7, count: UInt64(bitPattern: -5))))),
            ("count_too_large", WireCodec.encode(.report(report("mallory", sequence: 8, count: 1 << 40)))),
            ("negative_sum", WireCodec.encode(.report(report("mallory", sequence: 9, sumAbsAdvantage: -1)))),
            ("sequence_zero", WireCodec.encode(.report(report("mallory", sequence: 0)))),
            ("missing_worker_identity", WireCodec.encode(.report(report("", sequence: 10)))),
            ("invalid_report_batch", WireCodec.encode(.reportBatch(Wire.ReportBatch()))),
            ("invalid_report_batch", {
                var batch = Wire.ReportBatch()
                batch.reports = [report("mallory", sequence: 12), report("honest", sequence: 1)]
                return WireCodec.encode(.reportBatch(batch))
            }()),
            ("future_version", {
                var future = report("mallory", sequence: 11)
                future.policyVersion = 1 << 40
                return WireCodec.encode(.report(future))
            }()),
        ]
    }

    @Test func everyHostileFrameIsCountedUnderItsReasonAndTheHonestWorkerIsExact() async throws {
        let prefix = uniqueEndpointPrefix()
        let configuration = CoordinatorConfiguration(
            broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests", statusURL: "\(prefix)-status", reportsURL: "\(prefix)-reports",
            categories: Self.categories, publishEveryReports: 16, publishInterval: .milliseconds(50),
            lease: .seconds(5), heartbeatInterval: .milliseconds(200))
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let honest = try RunningAgent(WorkerAgentConfiguration(
            workerID: "honest", broadcastURL: configuration.broadcastURL, requestsURL: configuration.requestsURL,
            stepShare: 1, seed: 1, retransmitTimeout: .milliseconds(50), joinRetryInterval: .milliseconds(50),
            tickInterval: .milliseconds(10)))
        defer { honest.task.cancel() }
        _ = try await withTimeout(.seconds(10)) { try await honest.agent.currentPolicy() }

        let intruder = try Socket(.publisher)
        defer { intruder.closeInBackground() }
        try intruder.setSendBufferSize(8192)
        try intruder.dial(configuration.reportsURL)

        let hostile = Self.hostileFrames()
        var random = TestRandom(seed: 42)
        let noise = (0..<500).map { _ in
            (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        var expected = ExactTotals()
        var index = 0
        // Frames sent before the connection completes are lost: keep sending, each round
        // interleaved with honest reports, until every label has been counted.
        let counted = await eventually(within: .seconds(30)) {
            for (_, frame) in hostile { try? await intruder.send(frame) }
            for frame in noise.prefix(50) { try? await intruder.send(frame) }
            let statistics = ExactTotals.statistics(worker: 1, index: index, categories: Self.categories)
            index += 1
            statistics.forEach { expected.add($0) }
            let version = (try? await honest.agent.currentPolicy().version) ?? 0
            try? await honest.agent.report(policyVersion: version, statistics: statistics)
            let reasons = await coordinator.coordinator.counters.rejectionsByReason
            return Set(hostile.map(\.label)).isSubset(of: reasons.keys)
        }
        let reasons = await coordinator.coordinator.counters.rejectionsByReason
        #expect(counted, "missing: \(Set(hostile.map(\.label)).subtracting(reasons.keys)); counted: \(reasons)")
        for frame in noise { try await intruder.send(frame) }
        // Mutated valid frames reach deeper than noise: many decode and go on to the ledger
        // and the merge. Whatever they do, they must not disturb the honest worker.
        var mutator = FrameMutator(random: TestRandom(seed: 9))
        let seeds: [[UInt8]] = [
            WireCodec.encode(.report(Self.report("fuzzer", sequence: 3, category: "fuzz"))),
            WireCodec.encode(.heartbeat(Wire.Heartbeat.with { $0.worker.workerID = "fuzzer"; $0.resendFloor = 2 })),
            WireCodec.encode(.join(Wire.Join.with { $0.worker.workerID = "fuzzer"; $0.stepShare = 1 })),
            WireCodec.encode(.leave(Wire.Leave.with { $0.worker.workerID = "fuzzer" })),
        ]
        for _ in 0..<20_000 {
            try await intruder.send(mutator.mutate(seeds.randomElement(using: &mutator.random)!, corpus: seeds, rounds: 1...3))
            if mutator.random.next() % 64 == 0 { await Task.yield() }
        }

        // A replayed report: the same frame twice merges once, the second is a duplicate.
        let replayed = WireCodec.encode(.report(Self.report("replayer", sequence: 1, category: "hard", count: 8)))
        #expect(await eventually {
            try? await intruder.send(replayed)
            return await coordinator.coordinator.totals["hard"].map { $0.reports > expected.reports["hard", default: 0] } ?? false
        })
        let duplicatesBefore = await coordinator.coordinator.counters.duplicatesIgnored
        try await intruder.send(replayed)
        try await intruder.send(replayed)
        #expect(await eventually { await coordinator.coordinator.counters.duplicatesIgnored >= duplicatesBefore + 2 })

        try await honest.agent.drain(timeout: .seconds(10))
        // Only the honest reports and the one replayed report were merged, each once.
        var withReplay = expected
        withReplay.count["hard", default: 0] += 8
        withReplay.sumAbsAdvantage["hard", default: 0] += 1
        withReplay.sumSquaredAdvantage["hard", default: 0] += 1
        // The replay's reward sum is 0, but the coordinator has a "hard" entry for it even
        // when no honest report drew "hard": the expectation needs the entry too.
        withReplay.sumReward["hard", default: 0] += 0
        withReplay.reports["hard", default: 0] += 1
        let honestTotals = await coordinator.coordinator.totals.filter { Self.categories.contains($0.key) }
        #expect(ExactTotals(honestTotals) == withReplay)
        let members = await coordinator.coordinator.members
        #expect(members.first { $0.key.workerID == "honest" }?.reportsAccepted == UInt64(index))
        #expect(!members.contains { $0.key.workerID == "mallory" && $0.reportsAccepted > 0 })
        await coordinator.stop()
    }
}

