import ArgumentParser
import Curriculum
import Foundation
import Logging
import ServiceLifecycle
import SimulatedWorker
import Simulation
import WorkerAgent

/// `curriculum worker`: a worker agent driving the built-in simulated rollout loop.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker agent on the simulated rollout loop, for trials and tests.",
        discussion: """
            It joins the coordinator, then repeatedly draws a batch from the newest policy, \
            rolls it out on a simulated student, reports the advantage statistics and trains. \
            SIGINT or SIGTERM (or the end of --steps) drains it: every report is acknowledged \
            before it leaves. It prints one summary line as JSON when it stops.
            """
    )

    @Option(help: "The coordinator's broadcast URL.")
    var broadcast = "tcp://127.0.0.1:7450"

    @Option(help: "The coordinator's requests URL (its --requests).")
    var requests = "tcp://127.0.0.1:7452"

    @Option(help: "This worker's stable id (default: HOSTNAME-PID).")
    var id: String?

    @Option(help: "This worker's share of a training step's global batch, in (0, 1].")
    var share = 1.0

    @Option(help: "Prompts per batch.")
    var batch = 32

    @Option(help: "Steps to run; without it, runs until signalled.")
    var steps: Int?

    @Option(help: "Extra milliseconds per step, to mimic generation time.")
    var stepDelayMs = 0

    @Option(help: "Comma-separated domains of the simulated tasks.")
    var domains = "arith,logic,code"

    @Option(help: "Difficulty levels per domain.")
    var levels = 5

    @Option(help: "Seed of the simulated student and the batch draws (default: random).")
    var seed: UInt64?

    @Option(help: "Seconds to wait for acknowledgements when draining.")
    var drainTimeout = 30

    @OptionGroup var tls: TLSOptions
    @OptionGroup var authentication: WorkerAuthenticationOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard share > 0, share <= 1 else { throw ValidationError("--share must be in (0, 1], got \(share)") }
        guard batch > 0 else { throw ValidationError("--batch must be positive, got \(batch)") }
        guard levels > 0 else { throw ValidationError("--levels must be positive, got \(levels)") }
        guard !commaSeparated(domains).isEmpty else { throw ValidationError("--domains names no domain") }
        if let steps, steps < 0 { throw ValidationError("--steps must not be negative, got \(steps)") }
        guard stepDelayMs >= 0 else { throw ValidationError("--step-delay-ms must not be negative") }
    }

    func run() async throws {
        logging.bootstrap()
        let hostname = ProcessInfo.processInfo.hostName
        let seed = seed ?? UInt64.random(in: 0...UInt64.max)
        let student = SimulatedStudent(configuration: .init(domains: commaSeparated(domains), levels: levels))
        let configuration = WorkerAgentConfiguration(
            workerID: id ?? "\(hostname)-\(ProcessInfo.processInfo.processIdentifier)",
            hostname: hostname, broadcastURL: broadcast, requestsURL: requests, stepShare: share, seed: seed,
            drainTimeout: .seconds(drainTimeout), tls: try tls.configuration(server: false),
            signingKey: try authentication.signingKey())
        let agent = try WorkerAgent(configuration: configuration, categories: student.categories)
        let loop = SyntheticRolloutLoop(promptsPerBatch: batch, steps: steps, stepDelay: .milliseconds(stepDelayMs))
        let logger = Logger(label: "curriculum.worker")
        // The agent first: on SIGTERM, SIGINT or the end of --steps the rollouts stop, then the
        // agent drains (every report acknowledged, then a leave) and returns.
        try await ServiceGroup.stoppedBySignals([
            .init(service: agent),
            .cancelledOnShutdown("rollouts", whenDone: .gracefullyShutdownGroup) {
                do {
                    // The rewards get their own stream, apart from the agent's batch draws under the same seed.
                    try await loop.run(agent: agent, student: student, seed: seed ^ 0x726F_6C6C_6F75_7473, logger: logger)
                } catch is CancellationError where Task.isShuttingDownGracefully {
                    // Stopped mid-step by the shutdown: the agent drains what was reported.
                }
            },
        ], logger: logger).run()
        let counters = await agent.counters
        let totals = await agent.queuedTotals
        let summary = Summary(
            worker: "\(agent.identity)", reports: counters.reportsQueued, samples: counters.samplesQueued,
            acknowledged: counters.reportsAcknowledged, retransmissions: counters.retransmissions,
            abandoned: counters.reportsAbandoned, policies: counters.policiesReceived,
            categories: totals.sorted { $0.key < $1.key }.map { Summary.Category(category: $0.key, totals: $0.value) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }

    /// The line a worker prints when it stops.
    struct Summary: Codable {
        var worker: String
        var reports: UInt64
        var samples: UInt64
        var acknowledged: UInt64
        var retransmissions: UInt64
        var abandoned: UInt64
        var policies: UInt64
        /// What this worker queued per category, to hold against the coordinator's status totals.
        var categories: [Category]

        struct Category: Codable {
            var category: String
            var reports: Int
            var count: Int
            var sumAbsAdvantage: Double
            var sumSquaredAdvantage: Double
            var sumReward: Double

            init(category: String, totals: CategoryTotals) {
                self.category = category
                reports = totals.reports
                count = totals.count
                sumAbsAdvantage = totals.sumAbsAdvantage
                sumSquaredAdvantage = totals.sumSquaredAdvantage
                sumReward = totals.sumReward
            }

            enum CodingKeys: String, CodingKey {
                case category, reports, count
                case sumAbsAdvantage = "sum_abs_advantage"
                case sumSquaredAdvantage = "sum_squared_advantage"
                case sumReward = "sum_reward"
            }
        }
    }
}
