import Coordinator
import CurriculumTestSupport
import Curriculum
import CurriculumWire
import Foundation
import NNG
import Testing
import WorkerAgent

@Suite(.timeLimit(.minutes(2)))
struct CoordinatorAgentTests {
    static let categories = ["easy", "medium", "hard"]

    func coordinatorConfiguration(_ prefix: String) -> CoordinatorConfiguration {
        CoordinatorConfiguration(
            broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests", statusURL: "\(prefix)-status", reportsURL: "\(prefix)-reports",
            categories: Self.categories, publishEveryReports: 16, publishInterval: .milliseconds(50),
            lease: .seconds(5), heartbeatInterval: .milliseconds(200))
    }

    func agentConfiguration(
        _ id: String, broadcast: String, requests: String, share: Double = 1
    ) -> WorkerAgentConfiguration {
        WorkerAgentConfiguration(
            workerID: id, broadcastURL: broadcast, requestsURL: requests, stepShare: share,
            seed: UInt64(abs(id.hashValue)), retransmitTimeout: .milliseconds(50),
            maximumRetransmitTimeout: .milliseconds(400), joinRetryInterval: .milliseconds(50),
            tickInterval: .milliseconds(10),
            reconnect: ReconnectPolicy(minimum: .milliseconds(20), maximum: .milliseconds(200)))
    }

    @Test func aWorkerJoinsDrawsBatchesReportsAndDrains() async throws {
        let prefix = uniqueEndpointPrefix()
        let configuration = coordinatorConfiguration(prefix)
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let worker = try RunningAgent(
            agentConfiguration("w1", broadcast: configuration.broadcastURL, requests: configuration.requestsURL))
        defer { worker.task.cancel() }

        let policy = try await withTimeout(.seconds(10)) { try await worker.agent.currentPolicy() }
        #expect(policy.distribution.categories == Self.categories)
        #expect(abs(policy.distribution.probabilities.reduce(0, +) - 1) < 1e-12)

        let batch = try await worker.agent.nextBatch(size: 64)
        #expect(batch.size == 64)
        #expect(batch.assignments.count == 64)
        #expect(batch.categories == Self.categories)

        var expected = ExactTotals()
        for index in 0..<20 {
            let statistics = ExactTotals.statistics(worker: 1, index: index, categories: Self.categories)
            statistics.forEach { expected.add($0) }
            try await worker.agent.report(policyVersion: batch.policyVersion, statistics: statistics)
        }
        try await worker.agent.drain(timeout: .seconds(10))
        #expect(await worker.agent.unacknowledgedCount == 0)
        #expect(ExactTotals(await coordinator.coordinator.totals) == expected)
        #expect(await coordinator.coordinator.counters.reportsAccepted == 20)
        #expect(await coordinator.coordinator.members.first?.state == .left)
        // Hard reports moved the policy: SEC's Q for a reported arm is no longer 0.
        let values = await coordinator.coordinator.distribution().values
        #expect(values.contains { $0 > 0 })
        await coordinator.stop()
    }

    @Test(arguments: [1, 4])
    func everyReportCountsExactlyOnceThroughALossyDuplicatingReorderingRelay(workers: Int) async throws {
        let prefix = uniqueEndpointPrefix() + "-\(workers)"
        let configuration = coordinatorConfiguration(prefix)
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let relay = FaultyRelay(
            coordinatorBroadcastURL: configuration.broadcastURL, coordinatorRequestsURL: configuration.requestsURL,
            prefix: prefix, faults: .init(dropRate: 0.3, duplicateRate: 0.1, reorderRate: 0.1), seed: 2024)
        let relayTask = Task { try await relay.run() }
        defer { relayTask.cancel() }

        let reportsPerWorker = 150
        let sums = try await withThrowingTaskGroup(of: ExactTotals.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let running = try RunningAgent(
                        agentConfiguration(
                            "w\(worker)", broadcast: relay.broadcastURL, requests: relay.requestsURL,
                            share: 1 / Double(workers)),
                        categories: Self.categories)
                    defer { running.task.cancel() }
                    var produced = ExactTotals()
                    for index in 0..<reportsPerWorker {
                        let batch = try await running.agent.nextBatch(size: 16)
                        let statistics = ExactTotals.statistics(worker: worker, index: index, categories: Self.categories)
                        statistics.forEach { produced.add($0) }
                        try await running.agent.report(policyVersion: batch.policyVersion, statistics: statistics)
                    }
                    try await running.agent.drain(timeout: .seconds(60))
                    return produced
                }
            }
            var all = ExactTotals()
            for try await produced in group { all.add(produced) }
            return all
        }
        let counters = await coordinator.coordinator.counters
        #expect(ExactTotals(await coordinator.coordinator.totals) == sums)
        #expect(counters.reportsAccepted == UInt64(workers * reportsPerWorker))
        // The relay did its job: the coordinator saw resent and duplicated reports.
        #expect(counters.duplicatesIgnored > 0)
        await coordinator.stop()
    }

    @Test func aBatchIsDrawnFromTheCategoriesTheWorkerAnnouncedWhenTheCoordinatorStartedWithNone() async throws {
        let prefix = uniqueEndpointPrefix()
        var configuration = coordinatorConfiguration(prefix)
        configuration.categories = []
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        // Until this worker's join lands, the coordinator publishes an empty policy.
        let worker = try RunningAgent(
            agentConfiguration("announcer", broadcast: configuration.broadcastURL, requests: configuration.requestsURL),
            categories: ["x", "y"])
        defer { worker.task.cancel() }
        let batch = try await withTimeout(.seconds(10)) { try await worker.agent.nextBatch(size: 10) }
        #expect(batch.categories == ["x", "y"])
        #expect(batch.size == 10)
        await coordinator.stop()
    }

    @Test func workersAttachOverTLSWithACertificateMadeAtTestTime() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        var configuration = coordinatorConfiguration("unused")
        configuration.broadcastURL = "tls+tcp://127.0.0.1:0"
        configuration.requestsURL = "tls+tcp://127.0.0.1:0"
        configuration.statusURL = "tls+tcp://127.0.0.1:0"
        configuration.reportsURL = "tls+tcp://127.0.0.1:0"
        configuration.tls = .server(certificate: certificates.serverCertificate, privateKey: certificates.serverKey)
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let endpoints = try await coordinator.coordinator.listen()
        #expect(endpoints.broadcastURL.hasPrefix("tls+tcp://127.0.0.1:") && !endpoints.broadcastURL.hasSuffix(":0"))

        var agent = agentConfiguration("secure", broadcast: endpoints.broadcastURL, requests: endpoints.requestsURL)
        agent.tls = .client(trustedCertificates: certificates.caCertificate, serverName: "localhost")
        let worker = try RunningAgent(agent)
        defer { worker.task.cancel() }
        let policy = try await withTimeout(.seconds(15)) { try await worker.agent.currentPolicy() }
        #expect(policy.distribution.categories == Self.categories)
        try await worker.agent.report(
            policyVersion: policy.version,
            statistics: [AdvantageStatistics(category: "medium", count: 8, sumAbsAdvantage: 3, sumSquaredAdvantage: 2, sumReward: 4)])
        try await worker.agent.drain(timeout: .seconds(15))
        #expect(await coordinator.coordinator.totals["medium"]?.count == 8)
        await coordinator.stop()
    }

    @Test func aWorkerStartedBeforeTheCoordinatorAttachesWhenItComesUp() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "cur-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = coordinatorConfiguration("ipc://\(directory.path)/c")
        let worker = try RunningAgent(
            agentConfiguration("early", broadcast: configuration.broadcastURL, requests: configuration.requestsURL))
        defer { worker.task.cancel() }
        try await worker.agent.report(
            policyVersion: 0,
            statistics: [AdvantageStatistics(category: "easy", count: 4, sumAbsAdvantage: 1, sumSquaredAdvantage: 0.5, sumReward: 2)])
        #expect(await worker.agent.unacknowledgedCount == 1)

        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let policy = try await withTimeout(.seconds(15)) { try await worker.agent.currentPolicy() }
        #expect(policy.distribution.categories == Self.categories)
        #expect(await eventually { await worker.agent.unacknowledgedCount == 0 })
        #expect(await coordinator.coordinator.totals["easy"]?.count == 4)
        await coordinator.stop()
    }

    /// The coordinator reads reports with a fast decoder that leaves anything unusual in the
    /// envelope, such as a field a later version adds, to the general decoder: such a
    /// report is merged all the same.
    @Test func aReportWithAnEnvelopeFieldThisVersionDoesNotKnowIsMerged() async throws {
        let prefix = uniqueEndpointPrefix()
        let configuration = coordinatorConfiguration(prefix)
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let sender = try Socket.dialled(.publisher, to: configuration.reportsURL)
        defer { sender.closeInBackground() }

        let report = Wire.Report(
            worker: Wire.WorkerIdentity(workerID: "future", incarnation: 1), sequence: 1, stepShare: 1,
            categories: [Wire.CategoryStats(category: "medium", count: 5, sumAbsAdvantage: 2.5)])
        let body: [UInt8] = try report.serializedBytes()
        // protocol_version 2, then field 2 (length-delimited, unknown here), then the report.
        let frame = Topic.report.bytes + [0x08, 0x02, 0x12, 0x02, 0x0A, 0x00, 0x5A, UInt8(body.count)] + body
        // Frames sent before the connection completes are lost; resends are duplicates.
        #expect(await eventually {
            try? await sender.send(frame)
            return await coordinator.coordinator.totals["medium"]?.count == 5
        })
        #expect(await coordinator.coordinator.counters.reportsAccepted == 1)
        #expect(await coordinator.coordinator.counters.rejectionsByReason.isEmpty)
        await coordinator.stop()
    }

    @Test func badFramesAreCountedByReasonAndTheCoordinatorKeepsServing() async throws {
        let prefix = uniqueEndpointPrefix()
        let configuration = coordinatorConfiguration(prefix)
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }

        let listener = try Socket.dialled(.subscriber, to: configuration.broadcastURL, subscribingTo: Topic.control.bytes)
        defer { listener.closeInBackground() }
        let intruder = try Socket.dialled(.publisher, to: configuration.reportsURL)
        defer { intruder.closeInBackground() }

        var wrongVersion = Wire.Envelope()
        wrongVersion.protocolVersion = 7
        let stranger = Wire.WorkerIdentity(workerID: "stranger", incarnation: 1)
        wrongVersion.body = .report(Wire.Report(worker: stranger, sequence: 1, stepShare: 0, categories: []))
        let nanReport = Wire.Report(
            worker: stranger, sequence: 1, stepShare: 0,
            categories: [Wire.CategoryStats(category: "easy", count: 3, sumAbsAdvantage: .nan)])
        let frames: [[UInt8]] = [
            [0x00, 0x01],
            Array("XXXXhello".utf8),
            Array("REPT".utf8) + [0xFF, 0xFF, 0xFF],
            Array("REPT".utf8) + [0x08, 0x02, 0xF2, 0x01, 0x00],
            WireCodec.frame(wrongVersion, topic: .report),
            WireCodec.encode(.report(nanReport)),
        ]
        let expected: Set<String> = [
            "truncated", "unknown_topic", "malformed", "unknown_message_type", "unsupported_protocol_version",
            "non_finite_value",
        ]
        // Frames sent before the connection completes are lost, so resend until all are counted.
        let counted = await eventually {
            for frame in frames { try? await intruder.send(frame) }
            let reasons = await coordinator.coordinator.counters.rejectionsByReason
            return expected.isSubset(of: reasons.keys)
        }
        let reasons = await coordinator.coordinator.counters.rejectionsByReason
        #expect(counted, "\(reasons)")

        // The mismatched sender is told which versions the coordinator speaks. Answers
        // published before the listener connected are lost, so keep provoking one.
        let provocation = WireCodec.frame(wrongVersion, topic: .report)
        let provoking = Task {
            while !Task.isCancelled {
                try? await intruder.send(provocation)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { provoking.cancel() }
        let mismatch = try await withTimeout(.seconds(10)) {
            for try await message in listener.messages {
                if case .control(let control)? = try? WireCodec.decode(message.bytes),
                    case .protocolMismatch(let mismatch)? = control.kind
                {
                    return mismatch
                }
            }
            throw TimedOut(what: "a protocol mismatch answer")
        }
        provoking.cancel()
        #expect(mismatch.receivedVersion == 7)
        #expect(mismatch.supportedVersions == WireCodec.supportedVersions)
        #expect(mismatch.worker.workerID == "stranger")

        // A NaN report is rejected, but acknowledged once so it is not resent forever.
        #expect(await coordinator.coordinator.counters.reportsRejected == 1)
        #expect(await coordinator.coordinator.totals.isEmpty)

        // And a well-behaved worker is still served.
        let worker = try RunningAgent(
            agentConfiguration("good", broadcast: configuration.broadcastURL, requests: configuration.requestsURL))
        defer { worker.task.cancel() }
        try await worker.agent.report(
            policyVersion: 0,
            statistics: [AdvantageStatistics(category: "hard", count: 2, sumAbsAdvantage: 1.5, sumSquaredAdvantage: 1, sumReward: 1)])
        try await worker.agent.drain(timeout: .seconds(10))
        #expect(await coordinator.coordinator.totals["hard"]?.count == 2)
        await coordinator.stop()
    }
}
