import ArgumentParser
import Curriculum
import Demo
import Foundation
import Logging
import Monitoring
import ServiceLifecycle
import Simulation

/// `curriculum demo`: the whole system on one machine against a simulated student, and
/// a comparison of curricula.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train a simulated student with a coordinator and worker agents over nng; compare curricula.",
        discussion: """
            Each run starts a coordinator and --workers worker agents in this process, talking over \
            real nng sockets (ipc:// in a temporary directory, or tcp://127.0.0.1). The workers \
            share one simulated student: each draws its part of every step's batch from the \
            curriculum, rolls it out, reports the advantage statistics and hands the rollouts to \
            the trainer. The --policy curriculum and the baselines run over --seeds seeds each; \
            the end prints final accuracy per difficulty level and the steps to --target accuracy \
            on the hardest level, and writes an HTML report with charts to --out.
            """
    )

    enum Baseline: String, CaseIterable, ExpressibleByArgument {
        case sec, dump, random
        case easyToHard = "easy-to-hard"
        case learnability, informative, bandpass, thompson, schedule
    }

    @Option(help: "Worker agents (W); each draws B / W prompts per step.")
    var workers = 8

    @Option(help: "Training steps per run.")
    var steps = 200

    @Option(help: "Seeds per curriculum (1, 2, ...).")
    var seeds = 3

    @Option(help: "Prompts per training step (B), split among the workers.")
    var batch = 256

    @Option(help: "Curricula compared with the --policy one: \(Baseline.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated, or none.")
    var baselines = "dump,random,easy-to-hard"

    @Option(help: "sync: every step waits for all W batches (staleness 0); async: workers never wait.")
    var mode: SimulatedTrainer.Mode = .synchronous

    @Option(help: "Accuracy on the hardest level that counts as reached.")
    var target = 0.5

    @Option(help: "Milliseconds of simulated generation per worker batch (default 0, or 50 with --dashboard so the runs can be watched).")
    var generationDelayMs: Double?

    @Flag(help: "Serve the live dashboard of the run in progress; it stays up after the last run until Ctrl-C.")
    var dashboard = false

    @Option(help: ArgumentHelp("Where --dashboard listens (port 0: any free port).", valueName: "host:port"))
    var dashboardAddress = "127.0.0.1:9464"

    @Option(help: "Workers whose generation takes --slowdown times as long.")
    var slowWorkers = 0

    @Option(help: "How much slower the slow workers are.")
    var slowdown = 10.0

    @Option(help: "ipc or tcp (loopback).")
    var transport: RunConfiguration.Transport = .ipc

    @Option(help: "Where to write the HTML report.")
    var out = "curriculum-report.html"

    @OptionGroup(title: "Curriculum policy (sec defaults here: alpha 0.5, tau \(DemoCommand.secTau))")
    var policy: PolicyOptions

    @OptionGroup(title: "Staleness")
    var staleness: StalenessOptions

    /// SEC's paper uses tau 0.2 for two-dimensional categories (domain x difficulty), which is what the demo's student has.
    static let secTau = 0.2

    func validate() throws {
        guard workers > 0 else { throw ValidationError("--workers must be positive") }
        guard steps > 0 else { throw ValidationError("--steps must be positive") }
        guard seeds > 0 else { throw ValidationError("--seeds must be positive") }
        guard batch >= workers else { throw ValidationError("--batch must be at least --workers") }
        guard slowWorkers >= 0, slowWorkers <= workers else { throw ValidationError("--slow-workers must be in 0...--workers") }
        guard slowdown >= 1 else { throw ValidationError("--slowdown must be at least 1") }
        guard (generationDelayMs ?? 0) >= 0 else { throw ValidationError("--generation-delay-ms must not be negative") }
        if dashboard { _ = try MonitoringAddress(dashboardAddress) }
        _ = try baselineChoices()
    }

    func run() async throws {
        var base = RunConfiguration(
            curriculum: .policy(try policyConfiguration()), staleness: try staleness.configuration(),
            workers: workers, steps: steps, promptsPerStep: batch, mode: mode,
            generationDelay: .microseconds(Int((generationDelayMs ?? (dashboard ? 50 : 0)) * 1000)), slowWorkers: slowWorkers,
            slowdown: slowdown, transport: transport, targetAccuracy: target)
        base.seed = 1
        var curricula = [base.curriculum]
        for choice in try baselineChoices() where !curricula.contains(where: { $0.name == choice.name }) {
            curricula.append(choice)
        }
        print("""
            curriculum demo: \(workers) worker agents over nng \(transport.rawValue), \(mode.rawValue), \
            \(steps) steps of \(base.effectivePromptsPerStep) prompts x \(base.student.groupSize) responses, \
            \(seeds) seed(s), curricula \(curricula.map(\.name).joined(separator: ", "))
            """)
        let live = dashboard ? try await DemoDashboard(address: dashboardAddress) : nil
        if let live { print("dashboard: \(live.url)  (the run in progress, live)") }
        // The progress line goes to stderr: the header must be out before it.
        fflush(nil)
        let progress = ProgressLine()
        let started = ContinuousClock.now
        let summaries = try await Comparison.run(
            curricula: curricula, base: base, seeds: seeds, observer: live?.observer,
            metricsFactory: live?.metrics.factory ?? MetricsRegistry.disabled
        ) {
            progress.show($0)
        }
        progress.finish()
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        print("\nFinal accuracy per difficulty level (mean ± std over \(seeds) seed(s)), steps to \(target) on the hardest level:\n")
        print(ComparisonTable.text(summaries))
        let report = HTMLReport(summaries: summaries, student: base.student, settings: [
            ("workers", "\(workers)"), ("mode", mode.rawValue), ("steps", "\(steps)"),
            ("prompts per step", "\(base.effectivePromptsPerStep)"), ("seeds", "\(seeds)"),
            ("curricula", curricula.map(\.label).joined(separator: ", ")), ("staleness", "\(base.staleness.weighting)"),
            ("transport", transport.rawValue),
        ])
        let url = URL(fileURLWithPath: out)
        try report.render().write(to: url, atomically: true, encoding: .utf8)
        print(String(format: "report: %@  (%.1f s)", url.standardizedFileURL.path, elapsed))
        if let live {
            print("dashboard still at \(live.url) (the last run's final state); Ctrl-C to stop")
            fflush(nil)
            try await ServiceGroup.stoppedBySignals(
                [.init(service: ClosureService { try await gracefulShutdown() }, serviceName: "dashboard")],
                logger: Logger(label: "curriculum.demo")
            ).run()
            live.stop()
        }
    }

    /// The --policy configuration, with the demo's tau for SEC unless --tau was given.
    private func policyConfiguration() throws -> PolicyConfiguration {
        var configuration = try policy.configuration()
        if case .sec(var sec) = configuration, policy.tau == nil {
            sec.tau = Self.secTau
            configuration = .sec(sec)
        }
        return configuration
    }

    private func baselineChoices() throws -> [CurriculumChoice] {
        guard baselines != "none" else { return [] }
        return try commaSeparated(baselines).map { name in
            guard let baseline = Baseline(rawValue: name) else {
                throw ValidationError("--baselines: unknown curriculum \(name); use \(Baseline.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            switch baseline {
            case .sec: return .policy(.sec(.init(alpha: 0.5, tau: Self.secTau)))
            case .dump: return .policy(.dump(.init()))
            case .random: return .policy(.uniform)
            case .easyToHard: return .easyToHard
            case .learnability: return .policy(.learnability(.init()))
            case .informative: return .policy(.groupInformative(.init(groupSize: StudentConfiguration().groupSize)))
            case .bandpass: return .policy(.bandPass(.init()))
            case .thompson: return .policy(PolicyConfiguration.discountedThompson(.init()).withMinimumProbability(0.01))
            case .schedule: return CurriculumChoice.scheduledEasyToHard(student: StudentConfiguration(), steps: steps)
            }
        }
    }
}

extension SimulatedTrainer.Mode: ExpressibleByArgument {}
extension RunConfiguration.Transport: ExpressibleByArgument {}
