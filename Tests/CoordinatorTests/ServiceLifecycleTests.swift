import Coordinator
import Foundation
import Logging
import NNG
import ServiceLifecycle
import Testing
import WorkerAgent

/// The coordinator and the worker agent as swift-service-lifecycle services: what `curriculum
/// coordinator` and `curriculum worker` do on SIGTERM, without the processes.
@Suite(.timeLimit(.minutes(1)))
struct ServiceLifecycleTests {
    @Test func aGracefulShutdownDrainsTheAgentBeforeTheCoordinatorStopsAndSavesItsState() async throws {
        let prefix = uniqueEndpointPrefix()
        let directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-lifecycle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let coordinator = try Coordinator(configuration: CoordinatorConfiguration(
            broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests", statusURL: "\(prefix)-status", reportsURL: "\(prefix)-reports", categories: ["a", "b"],
            publishEveryReports: 16, publishInterval: .milliseconds(50), lease: .seconds(5),
            heartbeatInterval: .milliseconds(200), stateDirectory: directory.path))
        let agent = try WorkerAgent(configuration: WorkerAgentConfiguration(
            workerID: "graceful", broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests", seed: 3,
            retransmitTimeout: .milliseconds(50), maximumRetransmitTimeout: .milliseconds(400),
            joinRetryInterval: .milliseconds(50), tickInterval: .milliseconds(10), drainTimeout: .seconds(20),
            reconnect: ReconnectPolicy(minimum: .milliseconds(20), maximum: .milliseconds(200))))
        let (reported, reportedAll) = AsyncStream<Void>.makeStream()
        let reports = 20
        // Listed last, so shut down first: it stops reporting before the agent drains.
        let producer = ClosureService {
            for _ in 0..<reports {
                let batch = try await agent.nextBatch(size: 8)
                try await agent.report(batch: batch, statistics: [
                    AdvantageStatistics(category: "a", count: 2, sumAbsAdvantage: 1, sumSquaredAdvantage: 1, sumReward: 1)
                ])
            }
            reportedAll.yield()
            try await gracefulShutdown()
        }
        let group = ServiceGroup(services: [coordinator, agent, producer], logger: Logger(label: "test.lifecycle"))
        async let running: Void = group.run()
        _ = await reported.first { _ in true }
        // Shut down with reports possibly still unacknowledged: the agent's drain waits for them.
        await group.triggerGracefulShutdown()
        try await running

        #expect(await agent.counters.reportsAcknowledged == UInt64(reports))
        #expect(await agent.unacknowledgedCount == 0)
        #expect(await coordinator.counters.reportsAccepted == UInt64(reports))
        #expect(await coordinator.members.map(\.state) == [.left], "the agent said goodbye")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/snapshot.json"), "a clean stop saves a snapshot")
    }
}
