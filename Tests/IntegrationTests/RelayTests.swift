import CurriculumTestSupport
import Foundation
import NNG
import Testing

@testable import CurriculumCLI

extension MultiProcessSuites {
    /// `curriculum relay` between workers (over ipc) and a coordinator (over tcp). Every test
    /// ends with the coordinator's totals equal to the workers' own, per incarnation and per
    /// category: nothing lost, nothing counted twice.
    @Suite(.serialized, .timeLimit(.minutes(3)))
    struct RelayTests {
        @Test func workersOnTwoRelaysAreMergedExactlyOnce() async throws {
            let fleet = try await RelayFleet()
            let relays = [try await fleet.startRelay("a"), try await fleet.startRelay("b")]
            try await fleet.runToCompletion([("a1", "a"), ("a2", "a"), ("b1", "b")], scenario: "3 workers on 2 relays")
            try await fleet.stop(relays: relays)
        }

        @Test func aRelayKilledAndRestartedLosesNothing() async throws {
            let fleet = try await RelayFleet()
            var relay = try await fleet.startRelay("a")
            let ids = ["w1", "w2"]
            let workers = try ids.enumerated().map { try fleet.startWorker($1, on: "a", seed: $0 + 1) }
            for id in ids { #expect(await fleet.reportsFlow(id), "\(id): \(fleet.monitor.memberStates)") }

            for _ in 0..<2 {
                let baseline = Dictionary(uniqueKeysWithValues: ids.map { ($0, fleet.accepted($0)) })
                relay.signal(SIGKILL)
                try await relay.waitForExit(timeout: .seconds(10))
                // Same URLs: the workers redial the ipc paths the killed relay left behind.
                relay = try await fleet.startRelay("a")
                for id in ids {
                    #expect(await fleet.reportsFlow(id, beyond: baseline[id]!), "\(id): \(fleet.monitor.memberStates)")
                }
            }
            for worker in workers { worker.signal(SIGTERM) }
            var summaries: [Summary] = []
            for worker in workers { summaries.append(try await fleet.summary(of: worker)) }
            let status = try await fleet.finalStatus(afterLeaving: summaries.map(\.worker))
            print(reconcileTotals(status, versions: fleet.monitor.versions, summaries: summaries,
                                  scenario: "relay SIGKILLed and restarted twice"))
            try await fleet.stop(relays: [relay])
        }

        /// What a user does to move a worker to another node: stop it (it drains) and start it
        /// there under the same id; or it dies on one node and is started on the other.
        @Test func aWorkerMovedToAnotherRelayIsCountedOncePerIncarnation() async throws {
            let fleet = try await RelayFleet()
            let relays = [try await fleet.startRelay("a"), try await fleet.startRelay("b")]

            var summaries = [try await fleet.summary(of: try fleet.startWorker("moved", on: "a", seed: 1, steps: 30))]
            summaries.append(try await fleet.summary(of: try fleet.startWorker("moved", on: "b", seed: 2, steps: 30)))

            let doomed = try fleet.startWorker("killed", on: "a", seed: 3)
            #expect(await fleet.reportsFlow("killed"), "\(fleet.monitor.memberStates)")
            let killedIncarnation = try #require(fleet.monitor.status?.workers.first {
                $0.worker.workerID == "killed" && $0.state == "active"
            }).worker
            doomed.signal(SIGKILL)
            try await doomed.waitForExit(timeout: .seconds(10))
            summaries.append(try await fleet.summary(of: try fleet.startWorker("killed", on: "b", seed: 4, steps: 30)))

            let status = try await fleet.finalStatus(afterLeaving: summaries.map(\.worker))
            let killed = "\(killedIncarnation.workerID)#\(killedIncarnation.incarnation)"
            #expect(status.workers.contains { "\($0.worker.workerID)#\($0.worker.incarnation)" == killed && $0.state == "replaced" })
            print(reconcileTotals(status, versions: fleet.monitor.versions, summaries: summaries, killed: [killed],
                                  scenario: "worker drained on relay a, restarted on b; worker SIGKILLed on a, restarted on b"))
            try await fleet.stop(relays: relays)
        }

        @Test func badFlagsAreAUsageError() async throws {
            let relay = try CurriculumProcess(
                ["relay", "--coordinator-broadcast", "tcp://127.0.0.1:7450", "--coordinator-requests", "tcp://127.0.0.1:7452",
                 "--broadcast", "/tmp/not-a-url", "--requests", "ipc:///tmp/r"],
                name: "relay", captureStandardError: true)
            let output = try await relay.outputAfterExit(timeout: .seconds(30))
            #expect(relay.process.terminationStatus == 64, "ArgumentParser's usage error, as every subcommand's")
            #expect(output.contains("--broadcast must be a URL"), "\(output)")
        }

        /// A relay dials a coordinator that serves its broadcast and requests over TLS, verifying
        /// its certificate; its workers attach over ipc and are counted exactly once.
        @Test func aRelayReachesACoordinatorOverTLS() async throws {
            let certificates = try TestCertificates()
            defer { certificates.remove() }
            let path = { (name: String) in certificates.directory.appendingPathComponent(name).path }
            // The status endpoint stays plain tcp, as one read on the head node may.
            let fleet = try await RelayFleet(
                coordinatorArguments: [
                    "--broadcast", "tls+tcp://127.0.0.1:0", "--requests", "tls+tcp://127.0.0.1:0",
                    "--tls-certificate", path("server.pem"), "--tls-key", path("server.key"),
                ],
                monitorTLS: .client(trustedCertificates: certificates.caCertificate, serverName: "localhost"))
            #expect(fleet.coordinatorEndpoints.requests.hasPrefix("tls+tcp://"))
            let relay = try await fleet.startRelay("a", extra: ["--tls-ca", path("ca.pem"), "--tls-server-name", "localhost"])
            try await fleet.runToCompletion([("t1", "a"), ("t2", "a")], scenario: "a relay dialing the coordinator over TLS")
            try await fleet.stop(relays: [relay])
        }

        /// Signed frames pass the relay byte for byte: the coordinator verifies every one.
        @Test func signedFramesVerifyThroughARelay() async throws {
            let directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-relay-keys-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let keys = directory.appending(path: "keys").path
            let secret = (0..<32).map { String(format: "%02x", ($0 * 37 + 11) & 0xFF) }.joined()
            try "k1:\(secret)\n".write(toFile: keys, atomically: true, encoding: .utf8)
            // Key files must be private to their owner, or the coordinator refuses them.
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keys)

            let fleet = try await RelayFleet(coordinatorArguments: ["--auth-keys", keys])
            let relay = try await fleet.startRelay("a")
            try await fleet.runToCompletion(
                [("s1", "a"), ("s2", "a")], extra: ["--auth-keys", keys], scenario: "signed frames through a relay")
            try await fleet.stop(relays: [relay])
        }
    }
}
