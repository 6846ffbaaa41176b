import Coordinator
import CurriculumAuth
import CurriculumTestSupport
import CurriculumWire
import Foundation
import NNG
import Testing
import WorkerAgent

/// Workers that sign their frames, and every kind of frame a coordinator with a keyring
/// must refuse, each counted under its own label while good workers are served.
@Suite(.timeLimit(.minutes(2)))
struct AuthenticationTests {
    static let categories = ["easy", "medium", "hard"]
    static let current = try! AuthenticationKey(id: "2026-05", secret: Array(repeating: 0x5A, count: 32))
    static let previous = try! AuthenticationKey(id: "2026-04", secret: Array(repeating: 0x33, count: 16))
    /// Only worker ids starting with `bound-` may sign with it.
    static let bound = try! AuthenticationKey(id: "bound", secret: Array(repeating: 0x77, count: 32), allowedWorkers: ["bound-*"])
    static let keyring = try! Keyring([current, previous, bound])

    func coordinatorConfiguration(_ prefix: String, keyring: Keyring? = Self.keyring) -> CoordinatorConfiguration {
        CoordinatorConfiguration(
            broadcastURL: "\(prefix)-broadcast", requestsURL: "\(prefix)-requests", statusURL: "\(prefix)-status", reportsURL: "\(prefix)-reports",
            categories: Self.categories, publishEveryReports: 16, publishInterval: .milliseconds(50),
            lease: .seconds(5), heartbeatInterval: .milliseconds(200),
            authentication: keyring.map { IngestAuthentication(keyring: $0, maximumClockSkew: .seconds(30)) })
    }

    func agentConfiguration(
        _ id: String, _ configuration: CoordinatorConfiguration, key: AuthenticationKey?, share: Double = 1
    ) -> WorkerAgentConfiguration {
        WorkerAgentConfiguration(
            workerID: id, broadcastURL: configuration.broadcastURL, requestsURL: configuration.requestsURL,
            stepShare: share, seed: UInt64(abs(id.hashValue)), retransmitTimeout: .milliseconds(50),
            maximumRetransmitTimeout: .milliseconds(400), joinRetryInterval: .milliseconds(50),
            tickInterval: .milliseconds(10),
            reconnect: ReconnectPolicy(minimum: .milliseconds(20), maximum: .milliseconds(200)),
            signingKey: key)
    }

    /// Reports `count` batches of exact statistics and drains; returns what it reported.
    func reportAndDrain(_ agent: WorkerAgent, worker: Int, count: Int) async throws -> ExactTotals {
        let produced = try await agent.reportExactly(worker: worker, count: count, categories: Self.categories)
        try await agent.drain(timeout: .seconds(20))
        return produced
    }

    @Test func workersSigningWithEitherKeyOfARotationAreServedWithExactTotals() async throws {
        let configuration = coordinatorConfiguration(uniqueEndpointPrefix())
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let new = try RunningAgent(agentConfiguration("new", configuration, key: Self.current, share: 0.5))
        let old = try RunningAgent(agentConfiguration("old", configuration, key: Self.previous, share: 0.5))
        defer { new.task.cancel(); old.task.cancel() }

        async let fromNew = reportAndDrain(new.agent, worker: 1, count: 30)
        async let fromOld = reportAndDrain(old.agent, worker: 2, count: 30)
        var expected = try await fromNew
        expected.add(try await fromOld)

        let counters = await coordinator.coordinator.counters
        #expect(ExactTotals(await coordinator.coordinator.totals) == expected)
        #expect(counters.reportsAccepted == 60)
        #expect(counters.authenticationFailures == 0, "\(counters.rejectionsByReason)")
        #expect(counters.framesAuthenticated == counters.framesReceived)
        #expect(await coordinator.coordinator.members.map(\.state) == [.left, .left])
        await coordinator.stop()
    }

    @Test func aCoordinatorWithoutAKeyringTakesSignedAndUnsignedWorkersAlike() async throws {
        let configuration = coordinatorConfiguration(uniqueEndpointPrefix(), keyring: nil)
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let signed = try RunningAgent(agentConfiguration("signed", configuration, key: Self.current, share: 0.5))
        let plain = try RunningAgent(agentConfiguration("plain", configuration, key: nil, share: 0.5))
        defer { signed.task.cancel(); plain.task.cancel() }
        async let fromSigned = reportAndDrain(signed.agent, worker: 3, count: 10)
        async let fromPlain = reportAndDrain(plain.agent, worker: 4, count: 10)
        var expected = try await fromSigned
        expected.add(try await fromPlain)
        #expect(ExactTotals(await coordinator.coordinator.totals) == expected)
        #expect(await coordinator.coordinator.counters.framesAuthenticated == 0)
        await coordinator.stop()
    }

    @Test func anUnsignedWorkerIsRefusedAndNeverJoins() async throws {
        let configuration = coordinatorConfiguration(uniqueEndpointPrefix())
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let stranger = try RunningAgent(agentConfiguration("stranger", configuration, key: nil))
        defer { stranger.task.cancel() }
        // It keeps trying to join every 50 ms; each attempt is refused and counted.
        #expect(await eventually { await coordinator.coordinator.counters.rejectionsByReason["unsigned", default: 0] >= 3 })
        #expect(await coordinator.coordinator.members.isEmpty)
        #expect(await stranger.agent.counters.joins == 0)
        await coordinator.stop()
    }

    /// Every hostile frame is sent exactly once over an established connection, so the
    /// counts are exact; a signed worker reports throughout and its totals stay exact.
    @Test func forgedTamperedReplayedAndSkewedFramesAreEachCountedWhileAGoodWorkerIsServed() async throws {
        let configuration = coordinatorConfiguration(uniqueEndpointPrefix())
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let good = try RunningAgent(agentConfiguration("good", configuration, key: Self.current))
        defer { good.task.cancel() }
        async let fromGood = reportAndDrain(good.agent, worker: 5, count: 40)

        let intruder = try Socket(.publisher)
        defer { intruder.closeInBackground() }
        try intruder.setSendBufferSize(1024)
        try intruder.dial(configuration.reportsURL)
        var signer = FrameSigner(key: Self.current)

        // A probe: a signed heartbeat, resent (with a fresh signature) until the
        // coordinator has registered it, so the connection is known to carry frames.
        let probe = heartbeat(from: "probe")
        var lastProbe: [UInt8] = []
        let connected = await eventually {
            lastProbe = signer.sign(probe)
            try? await intruder.send(lastProbe)
            try? await Task.sleep(for: .milliseconds(20))
            return await coordinator.coordinator.members.contains { $0.key.workerID == "probe" }
        }
        #expect(connected)
        let acceptedProbe = lastProbe

        let now = WallClock.milliseconds()
        let victimReport = report(from: "victim", sequence: 1, count: 5)
        let wrongSecret = try AuthenticationKey(id: Self.current.id, secret: Array(repeating: 0x01, count: 32))
        let unknownKey = try AuthenticationKey(id: "nobody-knows", secret: Array(repeating: 0x5A, count: 32))
        var tampered = signer.sign(victimReport)
        // The worker id's last byte: "victim" becomes "victin", the forged identity of
        // a worker that never signed anything.
        let idAt = try #require(findSubsequence(Array("victim".utf8), in: tampered))
        tampered[idAt + 5] = UInt8(ascii: "n")
        var boundSigner = FrameSigner(key: Self.bound)

        let hostile: [(label: String, frame: [UInt8])] = [
            ("unsigned", victimReport),
            ("unknown_key", FrameSignature.sign(victimReport, key: unknownKey, counter: 1, sentAtMs: now)),
            ("bad_mac", FrameSignature.sign(victimReport, key: wrongSecret, counter: 1, sentAtMs: now)),
            ("bad_mac", tampered),
            // A valid signature by a key that may sign only for bound-* workers.
            ("forged_identity", boundSigner.sign(report(from: "victim", sequence: 1, count: 5))),
            ("clock_skew", signer.sign(victimReport, sentAtMs: now - 600_000)),
            ("clock_skew", signer.sign(victimReport, sentAtMs: now + 600_000)),
            // Byte-identical copies of a frame the coordinator took in.
            ("replayed", acceptedProbe),
            ("replayed", acceptedProbe),
        ]
        for (_, frame) in hostile {
            try await intruder.send(frame)
        }
        var expected: [String: UInt64] = [:]
        for (label, _) in hostile { expected[label, default: 0] += 1 }
        let authenticationLabels = Set(expected.keys)
        func authenticationCounts() async -> [String: UInt64] {
            await coordinator.coordinator.counters.rejectionsByReason.filter { authenticationLabels.contains($0.key) }
        }
        let counted = await eventually { await authenticationCounts() == expected }
        let counts = await authenticationCounts()
        #expect(counted, "\(counts)")

        // A key bound to bound-* workers does sign for them.
        try await intruder.send(boundSigner.sign(heartbeat(from: "bound-1")))
        #expect(await eventually { await coordinator.coordinator.members.contains { $0.key.workerID == "bound-1" } })

        let produced = try await fromGood
        let counters = await coordinator.coordinator.counters
        #expect(counters.authenticationFailures == UInt64(hostile.count))
        #expect(await authenticationCounts() == expected)
        // Nothing forged was merged and no forged identity was registered.
        #expect(ExactTotals(await coordinator.coordinator.totals) == produced)
        #expect(counters.reportsAccepted == 40)
        let names = Set(await coordinator.coordinator.members.map(\.key.workerID))
        #expect(names == ["good", "probe", "bound-1"])
        #expect(await coordinator.coordinator.status().authenticationFailures == UInt64(hostile.count))
        await coordinator.stop()
    }

    @Test func aKeyringReplacedWhileServingAdmitsTheNewKeysWorkers() async throws {
        let configuration = coordinatorConfiguration(uniqueEndpointPrefix(), keyring: try Keyring([Self.previous]))
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        let rotated = try RunningAgent(agentConfiguration("rotated", configuration, key: Self.current))
        defer { rotated.task.cancel() }
        #expect(await eventually {
            await coordinator.coordinator.counters.rejectionsByReason["unknown_key", default: 0] >= 2
        })
        #expect(await rotated.agent.counters.joins == 0)

        #expect(await coordinator.coordinator.replaceKeyring(try Keyring([Self.current, Self.previous])))
        let produced = try await reportAndDrain(rotated.agent, worker: 6, count: 5)
        #expect(ExactTotals(await coordinator.coordinator.totals) == produced)

        await coordinator.stop()
        let unchecked = try RunningCoordinator(coordinatorConfiguration(uniqueEndpointPrefix(), keyring: nil))
        #expect(await unchecked.coordinator.replaceKeyring(Self.keyring) == false)
        await unchecked.stop()
    }

    @Test func aWrongVersionFrameIsAnsweredOnlyWhenSigned() async throws {
        let configuration = coordinatorConfiguration(uniqueEndpointPrefix())
        let coordinator = try RunningCoordinator(configuration)
        defer { coordinator.task.cancel() }
        // Closed in the background: the loop below leaves a receive pending on the listener.
        let listener = try Socket.dialled(.subscriber, to: configuration.broadcastURL, subscribingTo: Topic.control.bytes)
        defer { listener.closeInBackground() }
        let intruder = try Socket.dialled(.publisher, to: configuration.reportsURL)
        defer { intruder.closeInBackground() }

        func wrongVersion(from worker: String) -> [UInt8] {
            var envelope = Wire.Envelope()
            envelope.protocolVersion = 7
            var leave = Wire.Leave()
            leave.worker = Wire.WorkerIdentity(workerID: worker, incarnation: 1)
            envelope.body = .leave(leave)
            return WireCodec.frame(envelope, topic: .leave)
        }
        // An outsider naming "victim" would make it stop if answered; a signed sender is told.
        let forged = wrongVersion(from: "victim")
        let signed = wrongVersion(from: "honest")
        let provoking = Task {
            var signer = FrameSigner(key: Self.current)
            while !Task.isCancelled {
                try? await intruder.send(forged)
                try? await intruder.send(signer.sign(signed))
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { provoking.cancel() }
        let mismatches = try await withTimeout(.seconds(10), "protocol mismatch answers") {
            var answered: [String] = []
            for try await message in listener.messages {
                if case .control(let control)? = try? WireCodec.decode(message.bytes),
                    case .protocolMismatch(let mismatch)? = control.kind
                {
                    answered.append(mismatch.worker.workerID)
                    if answered.count == 5 { return answered }
                }
            }
            throw TimedOut(what: "protocol mismatch answers")
        }
        provoking.cancel()
        #expect(Set(mismatches) == ["honest"])
        await coordinator.stop()
    }

    func heartbeat(from worker: String) -> [UInt8] {
        var heartbeat = Wire.Heartbeat()
        heartbeat.worker = Wire.WorkerIdentity(workerID: worker, incarnation: 1)
        return WireCodec.encode(.heartbeat(heartbeat))
    }

    func report(from worker: String, sequence: UInt64, count: UInt64) -> [UInt8] {
        WireCodec.encode(.report(Wire.Report(
            worker: Wire.WorkerIdentity(workerID: worker, incarnation: 1), sequence: sequence, stepShare: 1,
            categories: [Wire.CategoryStats(category: "easy", count: count, sumAbsAdvantage: 1)])))
    }

    func findSubsequence(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        haystack.indices.first { start in
            start + needle.count <= haystack.count && Array(haystack[start..<start + needle.count]) == needle
        }
    }
}
