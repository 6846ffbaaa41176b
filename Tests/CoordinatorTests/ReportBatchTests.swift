import Coordinator
import CurriculumTestSupport
import Curriculum
import CurriculumWire
import NNG
import Synchronization
import Testing
import WorkerAgent

/// Several reports in one REPT frame (`ReportBatch`): merged one by one, exactly once, and
/// sent by agents only as far as the coordinator's join answer allows.
@Suite(.timeLimit(.minutes(2)))
struct ReportBatchTests {
    static let categories = ["easy", "medium", "hard"]

    static func report(_ worker: String, sequence: UInt64) -> Wire.Report {
        Wire.Report(
            worker: Wire.WorkerIdentity(workerID: worker, incarnation: 1), sequence: sequence, stepShare: 1,
            resendFloor: 1,
            categories: ExactTotals.statistics(worker: 0, index: Int(sequence), categories: categories).map {
                Wire.CategoryStats(
                    category: $0.category, count: UInt64($0.count), sumAbsAdvantage: $0.sumAbsAdvantage,
                    sumSquaredAdvantage: $0.sumSquaredAdvantage, sumReward: $0.sumReward)
            })
    }

    static func batch(_ reports: [Wire.Report]) -> [UInt8] {
        var batch = Wire.ReportBatch()
        batch.reports = reports
        return WireCodec.encode(.reportBatch(batch))
    }

    @Test func overlappingBatchesMergeEachReportOnceAndAMixedBatchIsRefusedWhole() async throws {
        let prefix = uniqueEndpointPrefix()
        let configuration = CoordinatorConfiguration(
            broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests", statusURL: "\(prefix)-status", reportsURL: "\(prefix)-reports", categories: Self.categories)
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let sender = try Socket(.publisher)
        defer { sender.closeInBackground() }
        try sender.dial(configuration.reportsURL)

        var expected = ExactTotals()
        for sequence in 1...6 {
            ExactTotals.statistics(worker: 0, index: sequence, categories: Self.categories).forEach { expected.add($0) }
        }
        let first = Self.batch((1...4).map { Self.report("batcher", sequence: $0) })
        let second = Self.batch((3...6).map { Self.report("batcher", sequence: $0) })
        // Another worker's report slipped into a batch: the whole frame is refused, so
        // sequence 7 is not merged either.
        let mixed = Self.batch([Self.report("batcher", sequence: 7), Self.report("intruder", sequence: 1)])
        // Frames sent before the connection completes are lost; resends are duplicates.
        let merged = await eventually {
            for frame in [first, second, mixed] { try? await sender.send(frame) }
            let counters = await coordinator.coordinator.counters
            return counters.reportsAccepted == 6 && counters.rejectionsByReason["invalid_report_batch"] != nil
        }
        let counters = await coordinator.coordinator.counters
        #expect(merged, "\(counters)")
        #expect(ExactTotals(await coordinator.coordinator.totals) == expected)
        // Sequences 3 and 4 came twice at least.
        #expect(counters.duplicatesIgnored >= 2)
        #expect(counters.reportFramesReceived < counters.reportsAccepted + counters.duplicatesIgnored)
        #expect(await coordinator.coordinator.members.map(\.key.workerID) == ["batcher"])
        await coordinator.stop()
    }

    /// A coordinator stand-in on raw sockets answers the agent's join with `limit` as
    /// `max_reports_per_frame` and acknowledges nothing until it has seen what it needs,
    /// so every report stays pending and the drain resends all ten at once.
    @Test(arguments: [0, 1, 4])
    func theAgentPutsNoMoreReportsInAFrameThanTheCoordinatorAllows(limit: UInt32) async throws {
        let prefix = uniqueEndpointPrefix() + "-\(limit)"
        let broadcast = try Socket(.publisher)
        defer { broadcast.closeInBackground() }
        let requests = try Socket(.replier, raw: true)
        defer { requests.closeInBackground() }
        try requests.setSendBufferSize(1024)
        try broadcast.listen("\(prefix)-broadcast")
        try requests.listen("\(prefix)-requests")

        let frames = Mutex<[[UInt64]]>([])
        let identity = Mutex<Wire.WorkerIdentity?>(nil)
        /// The newest report request: a raw REP may answer it at any time, and more than once.
        let lastReport = Mutex<[UInt8]?>(nil)
        let standIn = Task {
            for try await message in requests.messages {
                if let reports = try message.withUnsafeBytes({ try ReportFrameDecoder.decode($0) }) {
                    frames.withLock { $0.append(reports.map(\.sequence)) }
                    lastReport.withLock { $0 = message.header }
                    continue
                }
                var control = Wire.Control()
                switch try WireCodec.decode(message.bytes) {
                case .join(let join):
                    identity.withLock { $0 = join.worker }
                    var accepted = Wire.JoinAccepted()
                    accepted.worker = join.worker
                    accepted.maxReportsPerFrame = limit
                    accepted.policy.version = 1
                    accepted.policy.categories = Self.categories
                    accepted.policy.probabilities = [0.25, 0.25, 0.5]
                    accepted.policy.values = [0, 0, 0]
                    control.kind = .joinAccepted(accepted)
                case .leave(let leave):
                    var accepted = Wire.LeaveAccepted()
                    accepted.worker = leave.worker
                    control.kind = .leaveAccepted(accepted)
                default:
                    continue
                }
                _ = try requests.trySend(WireCodec.encode(.control(control)), header: message.header)
            }
        }
        defer { standIn.cancel() }

        let worker = try RunningAgent(
            WorkerAgentConfiguration(
                workerID: "packer", broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests",
                seed: 7, retransmitTimeout: .seconds(30), maximumRetransmitTimeout: .seconds(30),
                joinRetryInterval: .milliseconds(50), tickInterval: .milliseconds(10)),
            categories: Self.categories)
        defer { worker.task.cancel() }
        _ = try await withTimeout(.seconds(10)) { try await worker.agent.currentPolicy() }
        // The stand-in's answer is in: the agent has adopted its limit.
        #expect(await worker.agent.counters.joins == 1)
        for index in 0..<10 {
            try await worker.agent.report(
                policyVersion: 1, statistics: ExactTotals.statistics(worker: 0, index: index, categories: Self.categories))
        }
        let draining = Task { try await worker.agent.drain(timeout: .seconds(20)) }
        let allowed = Int(max(limit, 1))
        // Drain sends every pending report again at once, in frames of `allowed`.
        let packed = stride(from: 1, through: 10, by: allowed).map { Array(UInt64($0)...UInt64(min($0 + allowed - 1, 10))) }
        let seen = await eventually {
            frames.withLock { seen in packed.allSatisfy(seen.contains) }
        }
        #expect(seen, "\(frames.withLock { $0 })")
        #expect(frames.withLock { $0.allSatisfy { $0.count <= allowed } })

        // Acknowledge everything so the drain completes.
        var ack = Wire.WorkerAck()
        ack.worker = try #require(identity.withLock { $0 })
        ack.contiguousThrough = 10
        var acks = Wire.Acks()
        acks.workers = [ack]
        let route = try #require(lastReport.withLock { $0 })
        let acknowledging = Task {
            while !Task.isCancelled {
                _ = try requests.trySend(WireCodec.encode(.acks(acks)), header: route)
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { acknowledging.cancel() }
        try await withTimeout(.seconds(20)) { try await draining.value }
        let counters = await worker.agent.counters
        #expect(counters.reportsAcknowledged == 10)
        // Frames sent before the stand-in's socket connected may be lost, never invented.
        #expect(counters.reportFramesSent >= UInt64(frames.withLock { $0.count }))
    }
}
