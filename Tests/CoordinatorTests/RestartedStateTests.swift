import Coordinator
import CurriculumAuth
import CurriculumTestSupport
import CurriculumWire
import Foundation
import NNG
import Testing
import WorkerAgent

/// What a coordinator restarted on its state directory remembers, over TCP: dead worker
/// incarnations retire instead of piling up in its status, and signed membership frames
/// it took in before the restart cannot be replayed after it.
@Suite(.timeLimit(.minutes(2)))
struct RestartedStateTests {
    static let categories = ["easy", "medium", "hard"]
    static let key = try! AuthenticationKey(id: "restart", secret: Array(repeating: 0x42, count: 32))
    let directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-restart-\(UUID().uuidString)").path

    func configuration(signed: Bool) -> CoordinatorConfiguration {
        CoordinatorConfiguration(
            broadcastURL: "tcp://127.0.0.1:0", requestsURL: "tcp://127.0.0.1:0", statusURL: "tcp://127.0.0.1:0",
            reportsURL: "tcp://127.0.0.1:0", categories: Self.categories,
            publishEveryReports: 16, publishInterval: .milliseconds(50), lease: .milliseconds(800),
            heartbeatInterval: .milliseconds(100), stateDirectory: directory,
            authentication: signed ? IngestAuthentication(keyring: try! Keyring([Self.key])) : nil,
            // Signed: retirement waits past twice the 30 s clock-skew bound (RetirementPolicy),
            // so the restored "captured" incarnation keeps its replay window throughout.
            retirement: RetirementPolicy(grace: signed ? .seconds(61) : .milliseconds(400), expiry: .seconds(3_600)))
    }

    /// Starts a coordinator and returns it with the endpoints it bound.
    func start(signed: Bool = false) async throws -> (RunningCoordinator, Coordinator.Endpoints) {
        let running = try RunningCoordinator(configuration(signed: signed))
        return (running, try await running.coordinator.listen())
    }

    func agent(_ id: String, _ endpoints: Coordinator.Endpoints, signed: Bool = false) throws -> RunningAgent {
        try RunningAgent(WorkerAgentConfiguration(
            workerID: id, broadcastURL: endpoints.broadcastURL, requestsURL: endpoints.requestsURL,
            stepShare: 1.0 / 3, retransmitTimeout: .milliseconds(50), maximumRetransmitTimeout: .milliseconds(400),
            joinRetryInterval: .milliseconds(50), tickInterval: .milliseconds(10),
            reconnect: ReconnectPolicy(minimum: .milliseconds(20), maximum: .milliseconds(200)),
            signingKey: signed ? Self.key : nil))
    }

    /// Reports `count` batches and waits until all are acknowledged, without leaving.
    func report(_ agent: WorkerAgent, worker: Int, count: Int) async throws -> ExactTotals {
        let produced = try await agent.reportExactly(worker: worker, count: count, categories: Self.categories)
        #expect(await eventually { await agent.counters.reportsAcknowledged == UInt64(count) })
        return produced
    }

    /// Three workers killed with the coordinator and started again as new incarnations:
    /// before retirement the status listed six workers for three live ones.
    @Test func afterARestartTheStatusListsOnlyLiveIncarnationsAndCountsTheRetired() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var expected = ExactTotals()
        let (first, firstEndpoints) = try await start()
        let crashed = try (0..<3).map { try agent("w\($0)", firstEndpoints) }
        for (index, running) in crashed.enumerated() {
            expected.add(try await report(running.agent, worker: index, count: 5))
        }
        for running in crashed { await running.stop() }
        await first.stop()

        let (second, endpoints) = try await start()
        defer { second.task.cancel() }
        let restarted = try (0..<3).map { try agent("w\($0)", endpoints) }
        defer { restarted.forEach { $0.task.cancel() } }
        for (index, running) in restarted.enumerated() {
            expected.add(try await report(running.agent, worker: 3 + index, count: 5))
        }
        let live = Set(restarted.map {
            WorkerKey(workerID: $0.agent.configuration.workerID, incarnation: $0.agent.configuration.incarnation)
        })
        let settled = await eventually {
            let status = await second.coordinator.status()
            return status.retiredWorkers == 3 && Set(status.workers.map { WorkerKey($0.worker) }) == live
        }
        let status = await second.coordinator.status()
        let listed = status.workers.map { "\($0.worker.workerID)#\($0.worker.incarnation) \($0.state)" }
        #expect(settled, "workers \(listed), retired \(status.retiredWorkers)")
        #expect(status.workers.allSatisfy { $0.state == "active" })
        #expect(ExactTotals(await second.coordinator.totals) == expected)
        for running in restarted { await running.stop() }
        await second.stop()
    }

    /// A signed join captured off the network before a restart is refused after it, and
    /// counted as `replayed`, while a real signed worker joins and reports as usual.
    @Test func aSignedJoinCapturedBeforeARestartIsRefusedAfterIt() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var join = Wire.Join()
        join.worker = Wire.WorkerIdentity(workerID: "captured", incarnation: 9)
        join.supportedVersions = WireCodec.supportedVersions
        join.stepShare = 0.5
        let unsignedJoin = WireCodec.encode(.join(join))
        var signer = FrameSigner(key: Self.key)

        let (first, firstEndpoints) = try await start(signed: true)
        let firstIntruder = try await connectedIntruder(to: firstEndpoints, of: first.coordinator, signer: &signer)
        defer { firstIntruder.closeInBackground() }
        let authenticated = await first.coordinator.counters.framesAuthenticated
        let captured = signer.sign(unsignedJoin)
        try await firstIntruder.send(captured)
        #expect(await eventually { await first.coordinator.counters.framesAuthenticated == authenticated + 1 })
        #expect(await first.coordinator.members.contains { $0.key.workerID == "captured" })
        await first.stop()

        let (second, endpoints) = try await start(signed: true)
        defer { second.task.cancel() }
        let real = try agent("real", endpoints, signed: true)
        defer { real.task.cancel() }
        var probeSigner = FrameSigner(key: Self.key)
        let intruder = try await connectedIntruder(to: endpoints, of: second.coordinator, signer: &probeSigner)
        defer { intruder.closeInBackground() }
        try await intruder.send(captured)
        #expect(await eventually { await second.coordinator.counters.rejectionsByReason["replayed"] == 1 })

        let produced = try await report(real.agent, worker: 1, count: 10)
        try await real.agent.drain(timeout: .seconds(20))
        #expect(ExactTotals(await second.coordinator.totals) == produced)
        #expect(await second.coordinator.counters.rejectionsByReason == ["replayed": 1])
        await real.stop()
        await second.stop()
    }

    /// A publisher dialled to the coordinator's reports endpoint, returned once a signed
    /// heartbeat from it has registered "probe" (resent with fresh signatures until then):
    /// frames sent on it from now on arrive.
    func connectedIntruder(
        to endpoints: Coordinator.Endpoints, of coordinator: Coordinator, signer: inout FrameSigner
    ) async throws -> Socket {
        let intruder = try Socket(.publisher)
        try intruder.dial(endpoints.reportsURL)
        var heartbeat = Wire.Heartbeat()
        heartbeat.worker = Wire.WorkerIdentity(workerID: "probe", incarnation: UInt64.random(in: 1...UInt64.max))
        let probe = WireCodec.encode(.heartbeat(heartbeat))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while clock.now < deadline {
            try? await intruder.send(signer.sign(probe))
            try? await clock.sleep(for: .milliseconds(20))
            if await coordinator.members.contains(where: { $0.key.workerID == "probe" }) { return intruder }
        }
        intruder.closeInBackground()
        throw TimedOut(what: "the intruder's connection")
    }
}
