import CurriculumTestSupport
import CurriculumWire
import Foundation
import Testing

@testable import CurriculumCLI

/// The processes of one fault scenario on a ``NetworkLab``: a coordinator in the head
/// namespace, a `curriculum worker` in every worker namespace, and a ``StatusMonitor`` in
/// the root namespace watching the coordinator over the link no fault touches.
final class FaultRun {
    static let publishIntervalMs = 100
    static let heartbeatMs = 500
    /// 20 ms per step: about 50 reports a second from each worker, hundreds per scenario.
    static let stepDelayMs = 20

    let lab: NetworkLab
    let coordinator: CurriculumProcess
    let monitor: StatusMonitor
    let workers: [(id: String, process: CurriculumProcess)]
    /// With `throughRelays`, the `curriculum relay` in each worker namespace.
    let relays: [CurriculumProcess]
    private let started = ContinuousClock.now

    /// Starts everything and returns once every worker is active and has had reports merged.
    ///
    /// - Parameter throughRelays: each worker dials a `curriculum relay` in its own namespace
    ///   over ipc, and only the relay crosses the faulted link to the coordinator.
    init(lab: NetworkLab, leaseMs: Int = 10_000, throughRelays: Bool = false) async throws {
        self.lab = lab
        coordinator = try lab.curriculum(
            in: lab.head,
            ["coordinator", "--broadcast", "tcp://\(lab.serviceAddress):0", "--requests", "tcp://\(lab.serviceAddress):0",
             "--status", "tcp://\(lab.serviceAddress):0", "--reports", "tcp://\(lab.serviceAddress):0",
             "--publish-interval-ms", "\(Self.publishIntervalMs)", "--lease-ms", "\(leaseMs)",
             "--heartbeat-ms", "\(Self.heartbeatMs)"],
            name: "coordinator")
        let line = try await coordinator.firstLine(timeout: .seconds(30))
        let endpoints = try RelayEndpoints(readyLine: line)
        let (broadcast, requests) = endpoints.urls
        monitor = try endpoints.monitor()
        var relays: [CurriculumProcess] = []
        var nodeEndpoints: [(broadcast: String, requests: String)] = []
        for host in lab.workers {
            guard throughRelays else {
                nodeEndpoints.append((broadcast, requests))
                continue
            }
            let node = "ipc:///tmp/\(host.namespace)-\(UUID().uuidString.prefix(8))"
            let relay = try lab.curriculum(
                in: host.namespace,
                ["relay", "--coordinator-broadcast", broadcast, "--coordinator-requests", requests,
                 "--broadcast", "\(node)-broadcast", "--requests", "\(node)-requests"],
                name: "relay \(host.namespace)")
            relays.append(relay)
            nodeEndpoints.append(try RelayEndpoints(readyLine: try await relay.firstLine(timeout: .seconds(30))).urls)
        }
        self.relays = relays
        workers = try lab.workers.enumerated().map { index, host in
            let id = "w\(index + 1)"
            let (broadcast, requests) = nodeEndpoints[index]
            let process = try lab.curriculum(
                in: host.namespace,
                ["worker", "--broadcast", broadcast, "--requests", requests, "--id", id, "--batch", "16",
                 "--step-delay-ms", "\(Self.stepDelayMs)", "--seed", "\(index + 1)",
                 "--share", "\(1.0 / Double(lab.workers.count))", "--drain-timeout", "90"],
                name: "worker \(id)")
            return (id, process)
        }
        let ids = Set(workers.map(\.id))
        let flowing = await eventually(within: .seconds(30)) { [monitor] in
            let active = (monitor.status?.workers ?? []).filter { $0.state == "active" && $0.reportsAccepted >= 20 }
            return Set(active.map(\.worker.workerID)) == ids
        }
        try #require(flowing, "workers never reported through the lab: \(monitor.memberStates)")
    }

    var workerIDs: [String] { workers.map(\.id) }

    /// Prints `message` stamped with the time since the run started, so a slow phase shows.
    func log(_ message: String) {
        print("[+\(Self.seconds(ContinuousClock.now - started))] \(message)")
    }

    /// `duration` as "12.3 s".
    static func seconds(_ duration: Duration) -> String {
        let parts = duration.components
        return String(format: "%.1f s", Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }

    /// Reports merged so far, per worker.
    func accepted() -> [String: UInt64] {
        (monitor.status?.workers ?? []).reduce(into: [:]) { $0[$1.worker.workerID, default: 0] += $1.reportsAccepted }
    }

    /// Waits until every worker has had `count` more reports merged than in `baseline`.
    func reportsFlow(beyond baseline: [String: UInt64], count: UInt64, within timeout: Duration) async -> Bool {
        await eventually(within: timeout) {
            let now = accepted()
            return workerIDs.allSatisfy { (now[$0] ?? 0) >= (baseline[$0] ?? 0) + count }
        }
    }

    func states() -> [String: String] { monitor.memberStates }

    /// Stops the workers with SIGTERM (each drains: every report acknowledged, then leaves)
    /// and returns their summaries, once the coordinator's status shows them all left.
    func drainWorkers() async throws -> [String: Summary] {
        for worker in workers { worker.process.signal(SIGTERM) }
        var summaries: [String: Summary] = [:]
        for worker in workers {
            summaries[worker.id] = try Summary.parse(await worker.process.outputAfterExit(timeout: .seconds(100)))
        }
        let left = await eventually(within: .seconds(15)) {
            let states = monitor.memberStates
            return workerIDs.allSatisfy { states[$0] == "left" }
        }
        #expect(left, "\(monitor.memberStates)")
        // A status taken after every leave, so it holds each worker's last report.
        let uptime = monitor.status?.uptimeMs ?? 0
        #expect(await eventually(within: .seconds(10)) { (monitor.status?.uptimeMs ?? 0) > uptime })
        return summaries
    }

    /// Holds the coordinator's final status against what the workers say they produced:
    /// per worker, per category, and in total, exactly. Returns the scenario's figures.
    func reconcile(_ summaries: [String: Summary], scenario: String) throws -> ReliabilityFigures {
        reconcileTotals(
            try #require(monitor.status), versions: monitor.versions, summaries: Array(summaries.values),
            scenario: scenario)
    }

    /// The wire counts once no packet is on its way any more: the same over half a second
    /// (longer than any delay the scenarios impose).
    func settledWireCounters() async throws -> WireCounters? {
        guard var previous = try lab.wireCounters() else { return nil }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(15)
        while clock.now < deadline {
            try await clock.sleep(for: .milliseconds(500))
            let now = try #require(try lab.wireCounters())
            if now == previous { return now }
            previous = now
        }
        Issue.record("packets still moving on the worker links 15 s after the workers stopped: \(previous)")
        return previous
    }

    /// Stops the relays with SIGTERM; each must exit cleanly. Until then the coordinator's
    /// broadcasts keep crossing the worker links.
    func stopRelays() async throws {
        for relay in relays {
            relay.signal(SIGTERM)
            try await relay.waitForExit(timeout: .seconds(10))
            #expect(relay.process.terminationStatus == 0, "\(relay.name): \(relay.lastLogLines())")
        }
    }

    func stop() async throws {
        monitor.stop()
        try await stopRelays()
        coordinator.signal(SIGTERM)
        try await coordinator.waitForExit(timeout: .seconds(10))
    }

    /// After a failure, stop() never ran: the monitor would keep redialling a dead coordinator.
    deinit {
        monitor.stop()
    }
}
