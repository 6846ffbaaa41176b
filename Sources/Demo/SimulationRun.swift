import Coordinator
import CoreMetrics
import Curriculum
import Foundation
import Logging
import Simulation
import WorkerAgent

/// Runs one simulated training run end to end over real nng sockets: a coordinator
/// actor, `workers` worker agents (each with its own PUB and SUB sockets, dialing the
/// coordinator over ipc:// or tcp://127.0.0.1), and one shared ``SimulatedTrainer``.
///
/// A policy version is one training step: the coordinator publishes a new version after
/// W merged reports (one per worker, together one step's batch), and its timed
/// re-publication is slowed to a safety net against a lost broadcast. Staleness then
/// counts training steps, as it does beside a real trainer.
public enum SimulationRun {
    /// `observer`, if given, sees the run's coordinator while it runs (for a dashboard);
    /// `metricsFactory` receives the coordinator's metrics.
    public static func run(
        _ configuration: RunConfiguration,
        observer: RunObserver? = nil,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        onStep: @escaping @Sendable (SimulatedTrainer.StepRecord) -> Void = { _ in }
    ) async throws -> RunResult {
        precondition(configuration.workers > 0 && configuration.steps >= 0)
        let started = ContinuousClock.now
        let endpoints = try Endpoints(configuration.transport)
        defer { endpoints.remove() }
        let student = SimulatedStudent(configuration: configuration.student)
        var quiet = Logger(label: "curriculum.demo")
        quiet.logLevel = .error

        let coordinator = try Coordinator(
            configuration: CoordinatorConfiguration(
                broadcastURL: endpoints.broadcast, requestsURL: endpoints.requests, statusURL: endpoints.status,
                reportsURL: endpoints.reports,
                policy: configuration.curriculum.coordinatorPolicy, staleness: configuration.staleness,
                categories: student.categories, acceptsNewCategories: false,
                publishEveryReports: configuration.workers, publishInterval: .seconds(1)),
            logger: quiet, metricsFactory: metricsFactory)
        let bound = try await coordinator.listen()
        let coordinatorTask = Task { try await coordinator.run() }
        defer { coordinatorTask.cancel() }
        observer?.attach(coordinator)

        let trainer = SimulatedTrainer(
            student: student, promptsPerStep: configuration.effectivePromptsPerStep,
            steps: configuration.steps, mode: configuration.mode, onStep: onStep)
        let schedule: EasyToHardSchedule? =
            configuration.curriculum == .easyToHard
            ? EasyToHardSchedule(
                levels: configuration.student.levels, domains: configuration.student.domains.count,
                steps: configuration.steps)
            : nil

        let reported = try await withThrowingTaskGroup(of: [Int].self) { group in
            for i in 0..<configuration.workers {
                let agent = try WorkerAgent(
                    configuration: WorkerAgentConfiguration(
                        workerID: "sim-\(i)", incarnation: UInt64(i + 1), hostname: "demo",
                        broadcastURL: bound.broadcastURL, requestsURL: bound.requestsURL,
                        stepShare: 1 / Double(configuration.workers),
                        seed: derive(configuration.seed, worker: i, stream: 1),
                        joinRetryInterval: .milliseconds(10), tickInterval: .milliseconds(5)),
                    categories: student.categories, logger: quiet)
                let slow = i < configuration.slowWorkers
                let worker = RolloutWorker(
                    agent: agent, trainer: trainer, promptsPerBatch: configuration.promptsPerWorker,
                    schedule: schedule,
                    generationDelay: slow ? configuration.generationDelay * configuration.slowdown
                        : configuration.generationDelay,
                    rolloutTimeGrowth: configuration.rolloutTimeGrowth, levels: configuration.student.levels,
                    seed: derive(configuration.seed, worker: i, stream: 2))
                group.addTask {
                    let protocolTask = Task { try await agent.run() }
                    defer { protocolTask.cancel() }
                    let reported: [Int]
                    do {
                        reported = try await worker.run()
                    } catch {
                        await trainer.stop()
                        throw error
                    }
                    try await agent.drain(timeout: .seconds(10))
                    // Drained: the sockets close in the background; do not wait for nng to finish.
                    protocolTask.cancel()
                    _ = await protocolTask.result
                    return reported
                }
            }
            var total = [Int](repeating: 0, count: student.categories.count)
            for try await counts in group where counts.count == total.count {
                for c in total.indices { total[c] += counts[c] }
            }
            return total
        }
        let counters = await coordinator.counters
        let version = await coordinator.version
        let totals = await coordinator.totals
        coordinatorTask.cancel()
        _ = await coordinatorTask.result
        return RunResult(
            curriculum: configuration.curriculum.name, seed: configuration.seed, categories: student.categories,
            levels: configuration.student.levels, targetAccuracy: configuration.targetAccuracy,
            records: await trainer.records, reportsAccepted: counters.reportsAccepted,
            reportsRejected: counters.reportsRejected, finalPolicyVersion: version,
            reportedSamples: reported, mergedSamples: student.categories.map { totals[$0]?.count ?? 0 },
            seconds: (ContinuousClock.now - started) / .seconds(1))
    }

    /// An independent seed per (run, worker, stream), through SplitMix64's finaliser.
    static func derive(_ seed: UInt64, worker: Int, stream: UInt64) -> UInt64 {
        SplitMix64.mix(seed &+ SplitMix64.increment &* (UInt64(worker) << 8 | stream))
    }

    /// Where the coordinator listens for one run.
    struct Endpoints {
        let broadcast: String
        let requests: String
        let status: String
        let reports: String
        private let directory: URL?

        init(_ transport: RunConfiguration.Transport) throws {
            switch transport {
            case .ipc:
                // Short paths: a Unix socket path must fit in 108 bytes.
                let directory = URL(fileURLWithPath: "/tmp/sec-\(UInt32.random(in: 0...UInt32.max))")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                self.directory = directory
                broadcast = "ipc://\(directory.path)/b"
                requests = "ipc://\(directory.path)/q"
                status = "ipc://\(directory.path)/s"
                reports = "ipc://\(directory.path)/r"
            case .tcp:
                directory = nil
                broadcast = "tcp://127.0.0.1:0"
                requests = "tcp://127.0.0.1:0"
                status = "tcp://127.0.0.1:0"
                reports = "tcp://127.0.0.1:0"
            }
        }

        func remove() {
            if let directory { try? FileManager.default.removeItem(at: directory) }
        }
    }
}
