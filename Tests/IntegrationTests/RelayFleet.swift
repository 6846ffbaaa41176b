import CurriculumTestSupport
import CurriculumWire
import Foundation
import NNG
import Testing

@testable import CurriculumCLI

/// The URLs a `listening broadcast=URL requests=URL ...` ready line names (the
/// coordinator's, with its status URL, and the relay's).
struct RelayEndpoints: Sendable, Hashable {
    var broadcast: String
    var requests: String
    /// The coordinator's status endpoint; a relay has none.
    var status: String?

    init(broadcast: String, requests: String) {
        self.broadcast = broadcast
        self.requests = requests
    }

    init(readyLine: String) throws {
        let fields = Dictionary(readyLine.split(separator: " ").dropFirst().map {
            let parts = $0.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts.last ?? ""))
        }, uniquingKeysWith: { $1 })
        broadcast = try #require(fields["broadcast"], "\(readyLine)")
        requests = try #require(fields["requests"], "\(readyLine)")
        status = fields["status"]
    }

    var urls: (broadcast: String, requests: String) { (broadcast, requests) }

    /// A monitor of the coordinator these endpoints name.
    func monitor(tls: TLSConfiguration? = nil) throws -> StatusMonitor {
        try StatusMonitor(broadcastURL: broadcast, statusURL: try #require(status, "no status endpoint"), tls: tls)
    }
}

/// A coordinator on loopback tcp, `curriculum relay` processes standing in for nodes (each
/// serving its workers over ipc), `curriculum worker` processes dialing the relays, and a
/// ``StatusMonitor`` watching the coordinator directly.
final class RelayFleet {
    let directory: URL
    let coordinator: CurriculumProcess
    let coordinatorEndpoints: RelayEndpoints
    let monitor: StatusMonitor

    /// - Parameters:
    ///   - coordinatorArguments: extra `curriculum coordinator` flags (e.g. `--auth-keys`).
    ///   - monitorTLS: how the monitor verifies `tls+tcp://` coordinator endpoints.
    init(coordinatorArguments: [String] = [], monitorTLS: TLSConfiguration? = nil) async throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-relay-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        coordinator = try CurriculumProcess(
            ["coordinator", "--broadcast", "tcp://127.0.0.1:0", "--requests", "tcp://127.0.0.1:0",
             "--status", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0",
             "--publish-interval-ms", "100", "--lease-ms", "3000", "--heartbeat-ms", "250"] + coordinatorArguments,
            name: "coordinator")
        coordinatorEndpoints = try RelayEndpoints(readyLine: try await coordinator.firstLine(timeout: .seconds(30)))
        monitor = try coordinatorEndpoints.monitor(tls: monitorTLS)
    }

    /// The ipc URLs node `name`'s relay serves; the same on every start, as a node's would be.
    func nodeEndpoints(_ name: String) -> RelayEndpoints {
        RelayEndpoints(broadcast: "ipc://\(directory.path)/\(name)-broadcast", requests: "ipc://\(directory.path)/\(name)-requests")
    }

    /// Starts node `name`'s relay and returns once it has printed its ready line.
    /// - Parameter extra: more `curriculum relay` flags (e.g. `--tls-ca`).
    func startRelay(_ name: String, extra: [String] = []) async throws -> CurriculumProcess {
        let node = nodeEndpoints(name)
        let relay = try CurriculumProcess(
            ["relay", "--coordinator-broadcast", coordinatorEndpoints.broadcast,
             "--coordinator-requests", coordinatorEndpoints.requests, "--broadcast", node.broadcast,
             "--requests", node.requests] + extra,
            name: "relay \(name)")
        let ready = try RelayEndpoints(readyLine: try await relay.firstLine(timeout: .seconds(30)))
        #expect(ready == node)
        return relay
    }

    /// A worker on node `name`: `steps` steps and then a drain, or until SIGTERM without.
    func startWorker(_ id: String, on node: String, seed: Int, steps: Int? = nil, extra: [String] = []) throws
        -> CurriculumProcess
    {
        let endpoints = nodeEndpoints(node)
        return try CurriculumProcess(
            ["worker", "--broadcast", endpoints.broadcast, "--requests", endpoints.requests, "--id", id, "--batch", "16",
             "--step-delay-ms", "10", "--seed", "\(seed)", "--share", "0.25"]
                + (steps.map { ["--steps", "\($0)"] } ?? []) + extra,
            name: "worker \(id)")
    }

    /// Runs `placements` (worker id, node) for 40 steps each, waits for every one to drain and
    /// leave, and checks the coordinator's totals against what they reported.
    func runToCompletion(_ placements: [(id: String, node: String)], extra: [String] = [], scenario: String) async throws {
        let workers = try placements.enumerated().map { index, placement in
            try startWorker(placement.id, on: placement.node, seed: index + 1, steps: 40, extra: extra)
        }
        var summaries: [Summary] = []
        for worker in workers { summaries.append(try await summary(of: worker)) }
        let status = try await finalStatus(afterLeaving: summaries.map(\.worker))
        #expect(summaries.allSatisfy { $0.reports == 40 })
        print(reconcileTotals(status, versions: monitor.versions, summaries: summaries, scenario: scenario))
    }

    /// The summary a worker prints once it has drained (after `--steps` or SIGTERM).
    func summary(of worker: CurriculumProcess) async throws -> Summary {
        let output = try await worker.outputAfterExit(timeout: .seconds(60))
        return try #require(try? Summary.parse(output), "\(worker.name): \(worker.lastLogLines(20))")
    }

    /// Reports merged so far from `id`'s active incarnation.
    func accepted(_ id: String) -> UInt64 {
        (monitor.status?.workers ?? []).first { $0.worker.workerID == id && $0.state == "active" }?.reportsAccepted ?? 0
    }

    /// Waits until `id`'s active incarnation has had `count` more reports merged than `baseline`.
    func reportsFlow(_ id: String, beyond baseline: UInt64 = 0, by count: UInt64 = 20) async -> Bool {
        await eventually(within: .seconds(30)) { accepted(id) >= baseline + count }
    }

    /// The coordinator's status once every one of `incarnations` ("ID#N") has left and a newer
    /// status has arrived, so it holds their last reports.
    func finalStatus(afterLeaving incarnations: [String]) async throws -> Wire.Status {
        let left = await eventually(within: .seconds(15)) {
            let gone = (monitor.status?.workers ?? []).filter { $0.state == "left" }
                .map { "\($0.worker.workerID)#\($0.worker.incarnation)" }
            return Set(incarnations).isSubset(of: gone)
        }
        #expect(left, "\(monitor.memberStates)")
        let uptime = monitor.status?.uptimeMs ?? 0
        #expect(await eventually(within: .seconds(10)) { (monitor.status?.uptimeMs ?? 0) > uptime })
        return try #require(monitor.status)
    }

    /// Stops relays (each must exit cleanly on SIGTERM) and the coordinator.
    func stop(relays: [CurriculumProcess]) async throws {
        for relay in relays {
            relay.signal(SIGTERM)
            try await relay.waitForExit(timeout: .seconds(10))
            #expect(relay.process.terminationStatus == 0, "\(relay.name): \(relay.lastLogLines())")
        }
        monitor.stop()
        coordinator.signal(SIGTERM)
        try await coordinator.waitForExit(timeout: .seconds(10))
    }

    deinit {
        monitor.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
