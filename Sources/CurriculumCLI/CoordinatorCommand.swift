import ArgumentParser
import Coordinator
import Curriculum
import Foundation
import Logging
import Monitoring
import ServiceLifecycle
import UnixSignals

/// `curriculum coordinator`: runs the head node's curriculum service.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the curriculum coordinator: merge worker reports, publish the distribution.",
        discussion: """
            Workers dial --broadcast with a SUB socket and --reports with a PUB socket. \
            A tcp:// URL with port 0 binds a free port; the bound URLs are printed on the \
            first line of standard output as `listening broadcast=URL reports=URL version=N`. \
            With --state DIR every merged report is saved before it is acknowledged, and a \
            restart with the same DIR resumes where the last one stopped or crashed. \
            SIGINT or SIGTERM stops it; SIGHUP reloads --auth-keys.
            """
    )

    @Option(help: "URL the PUB socket listens on (policies).")
    var broadcast = "tcp://0.0.0.0:7450"

    @Option(help: "URL the REP socket listens on (each worker's joins, reports, heartbeats and leaves, answered one by one).")
    var requests = "tcp://0.0.0.0:7452"

    @Option(help: "URL the status PUB socket listens on (for curriculum status and monitors).")
    var status = "tcp://0.0.0.0:7453"

    @Option(help: "URL version-1 workers send to; they are told this coordinator speaks protocol 2.")
    var reports = "tcp://0.0.0.0:7451"

    @Option(help: "Comma-separated categories known from the start; workers can add more when they join.")
    var categories: String?

    @Flag(help: "Reject reports naming a category nobody registered.")
    var strictCategories = false

    @OptionGroup var policy: PolicyOptions
    @OptionGroup var staleness: StalenessOptions

    @Option(help: "Publish a new policy version after this many merged reports.")
    var publishEvery = 64

    @Option(help: "...or after this many milliseconds, whichever is first.")
    var publishIntervalMs = 100

    @Option(help: ArgumentHelp(
        "Policy copies a second the broadcast may cost, one per worker.",
        discussion: "A new version waits until the last broadcast is workers / this many seconds old; versions still advance as --publish-every says."))
    var policyCopiesPerSecond: Double = 20_000

    @Option(help: "Milliseconds a worker's acknowledgement waits to answer all its reports of that time in one reply.")
    var ackIntervalMs = 5

    @Option(help: "A worker silent this many milliseconds is marked lost.")
    var leaseMs = 10_000

    @Option(help: "Milliseconds between the heartbeats workers are asked for.")
    var heartbeatMs = 2_000

    @Option(help: "The most reports a worker may send in one frame (1: one report per frame).")
    var maxReportsPerFrame = 64

    @Option(help: "Milliseconds after which a worker incarnation that left, was replaced or was lost (past its lease) is retired: dropped from the membership and status, kept only as its final sequence.")
    var retireAfterMs = Int(RetirementPolicy.defaultGrace.components.seconds * 1000)

    @Option(help: "Milliseconds a retired incarnation's final sequence is remembered, answering its resends as duplicates.")
    var retiredExpiryMs = Int(RetirementPolicy.defaultExpiry.components.seconds * 1000)

    @Option(help: ArgumentHelp(
        "Directory of the durable state (snapshot and journal); resumed from if it exists.",
        valueName: "dir"))
    var state: String?

    @Option(help: "With --state: write a new snapshot and start an empty journal once the journal reaches this many MiB.")
    var compactAfterMib = 64

    @Option(help: ArgumentHelp(
        "Serve /metrics (Prometheus), /healthz, /readyz, /api/status and the dashboard on this address, e.g. 0.0.0.0:9464; off by default.",
        valueName: "host:port"))
    var http: String?

    @OptionGroup var tls: TLSOptions
    @OptionGroup var authentication: CoordinatorAuthenticationOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        try policy.requireFloorFits(policy.configuration(), categoryCount: commaSeparated(categories).count)
        _ = try staleness.configuration()
        guard publishEvery > 0 else { throw ValidationError("--publish-every must be positive, got \(publishEvery)") }
        guard policyCopiesPerSecond > 0, policyCopiesPerSecond.isFinite else {
            throw ValidationError("--policy-copies-per-second must be a positive number, got \(policyCopiesPerSecond)")
        }
        for (flag, value) in [
            ("publish-interval-ms", publishIntervalMs), ("ack-interval-ms", ackIntervalMs), ("lease-ms", leaseMs),
            ("heartbeat-ms", heartbeatMs), ("max-reports-per-frame", maxReportsPerFrame),
            ("compact-after-mib", compactAfterMib),
            ("retire-after-ms", retireAfterMs), ("retired-expiry-ms", retiredExpiryMs),
        ] where value <= 0 {
            throw ValidationError("--\(flag) must be positive, got \(value)")
        }
        if let http { _ = try MonitoringAddress(http) }
        // A retired incarnation's replay window is dropped: safe only once its every signed
        // frame fails the clock-skew check (RetirementPolicy.defaultGrace).
        if authentication.authKeys != nil, retireAfterMs <= 2 * authentication.authMaxClockSkewMs {
            throw ValidationError(
                "--retire-after-ms (\(retireAfterMs)) must exceed twice --auth-max-clock-skew-ms (\(authentication.authMaxClockSkewMs))")
        }
        guard heartbeatMs < leaseMs else {
            throw ValidationError("--heartbeat-ms (\(heartbeatMs)) must be shorter than --lease-ms (\(leaseMs))")
        }
    }

    func run() async throws {
        logging.bootstrap()
        let configuration = CoordinatorConfiguration(
            broadcastURL: broadcast, requestsURL: requests, statusURL: status, reportsURL: reports,
            policy: try policy.configuration(), staleness: try staleness.configuration(),
            categories: commaSeparated(categories), acceptsNewCategories: !strictCategories,
            publishEveryReports: publishEvery, publishInterval: .milliseconds(publishIntervalMs),
            policyCopiesPerSecond: policyCopiesPerSecond,
            acknowledgementInterval: .milliseconds(ackIntervalMs),
            lease: .milliseconds(leaseMs), heartbeatInterval: .milliseconds(heartbeatMs),
            maximumReportsPerFrame: maxReportsPerFrame,
            tls: try tls.configuration(server: true), stateDirectory: state, compactionBytes: compactAfterMib << 20,
            authentication: try authentication.configuration(),
            retirement: RetirementPolicy(
                grace: .milliseconds(retireAfterMs), expiry: .milliseconds(retiredExpiryMs)))
        let metrics = http.map { _ in MetricsRegistry() }
        let coordinator = try Coordinator(
            configuration: configuration, metricsFactory: metrics?.factory ?? MetricsRegistry.disabled)
        let monitoring = try http.map { address in
            MonitoringServer(address: try MonitoringAddress(address), metrics: metrics) {
                await coordinator.statusIfReady()
            }
        }
        let endpoints = try await coordinator.listen()
        let startVersion = await coordinator.version
        let logger = Logger(label: "curriculum.coordinator")
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: coordinator)]
        let (bound, port) = AsyncStream<Int>.makeStream()
        if let monitoring {
            services.append(.cancelledOnShutdown("monitoring") {
                defer { port.finish() }
                do {
                    try await monitoring.run { port.yield($0) }
                } catch is CancellationError where Task.isCancelled {
                    // The graceful shutdown cancelled the server, and Hummingbird ends a cancelled
                    // run with this error: without the catch, SIGTERM right after the ready line
                    // made the coordinator exit 1.
                }
            })
        }
        services.append(.cancelledOnShutdown("ready line", whenDone: .ignore) {
            var httpField = ""
            if let monitoring {
                // No port: the server failed to start, and the group ends with why.
                guard let chosen = await bound.first(where: { _ in true }) else { return }
                httpField = " http=\(monitoring.address.url(port: chosen))"
            }
            // Scripts and tests wait for this line: write it unbuffered. The group caught
            // SIGTERM and SIGINT before it started this service.
            FileHandle.standardOutput.write(Data(
                "listening broadcast=\(endpoints.broadcastURL) requests=\(endpoints.requestsURL) status=\(endpoints.statusURL) reports=\(endpoints.reportsURL) version=\(startVersion)\(httpField)\n".utf8))
        })
        if let path = authentication.authKeys {
            // Caught from here on: before the ready line, which a service of the group writes.
            let hangups = await UnixSignalsSequence(trapping: .sighup)
            services.append(.init(
                service: KeyReloadService(path: path, coordinator: coordinator, logger: logger, hangups: hangups),
                serviceName: "key reload"))
        }
        try await ServiceGroup.stoppedBySignals(services, logger: logger).run()
        let counters = await coordinator.counters
        let version = await coordinator.version
        logger.info("stopped", metadata: [
            "reports_accepted": "\(counters.reportsAccepted)", "reports_rejected": "\(counters.reportsRejected)",
            "duplicates_ignored": "\(counters.duplicatesIgnored)", "policy_version": "\(version)",
        ])
    }
}
