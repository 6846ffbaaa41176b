import CurriculumWire
import Foundation
import Hummingbird
import Logging
import SwiftProtobuf
import Synchronization

/// The coordinator's HTTP port: Prometheus metrics, health checks, the status as JSON,
/// and the live dashboard, served by Hummingbird.
///
/// | path | answer |
/// |---|---|
/// | `/metrics` | Prometheus text format 0.0.4 |
/// | `/healthz` | 200 while the process serves |
/// | `/readyz` | 200 once the coordinator has recovered its state and listens, 503 before |
/// | `/api/status` | what `curriculum status --json` prints |
/// | `/api/history?since=MS` | the policy once a second, after wall-clock time MS |
/// | `/` | the dashboard |
///
/// Why not nng's own HTTP server, already linked: it answers unknown paths (404) and
/// methods (405), but closes the connection without a word on a request it cannot parse
/// or one over its size limit (`http_sconn_rxdone` in nng 1.5.2), and a client is owed a
/// 400 there. Hummingbird answers those 400, and closes connections idle for 30 s.
public final class MonitoringServer: Sendable {
    /// The status to serve, or nil while the coordinator is not ready.
    public typealias StatusProvider = @Sendable () async -> Wire.Status?

    public let address: MonitoringAddress
    private let metrics: MetricsRegistry?
    private let status: StatusProvider
    private let history: Mutex<StatusHistory>
    private let logger: Logger

    /// Without `metrics`, `/metrics` answers 404.
    public init(
        address: MonitoringAddress, metrics: MetricsRegistry?, historyCapacity: Int = 900,
        logger: Logger = Logger(label: "curriculum.http"), status: @escaping StatusProvider
    ) {
        self.address = address
        self.metrics = metrics
        self.status = status
        self.history = Mutex(StatusHistory(capacity: historyCapacity))
        self.logger = logger
    }

    /// Serves, and samples the history every `period`, until the task is cancelled.
    /// `onListening` is given the bound port (the chosen one when the address asked for 0).
    public func run(
        samplingEvery period: Duration = .seconds(1), onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let application = Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { [logger, address] channel in
                let port = channel.localAddress?.port ?? address.port
                logger.info("serving metrics, health checks and the dashboard", metadata: ["url": "\(address.url(port: port))"])
                await onListening(port)
            },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            group.addTask {
                while true {
                    await self.sample()
                    try await Task.sleep(for: period)
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Adds the current policy to the history.
    func sample() async {
        guard let status = await status() else { return }
        let policy = status.policy
        let sample = StatusHistory.Sample(
            timeMs: UInt64(Date().timeIntervalSince1970 * 1000), version: policy.version,
            categories: policy.categories, probabilities: policy.probabilities, values: policy.values,
            reportsAccepted: status.reportsAccepted)
        history.withLock { $0.append(sample) }
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ResponseCounter(factory: metrics?.factory ?? MetricsRegistry.disabled))
        router.get("/metrics") { [metrics] _, _ -> Response in
            guard let metrics else { return .text("metrics are not collected by this process\n", status: .notFound) }
            return .body(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/healthz") { _, _ in Response.text("ok\n") }
        router.get("/readyz") { [status] _, _ -> Response in
            await status() == nil
                ? .text("not ready: the coordinator is not listening yet\n", status: .serviceUnavailable)
                : .text("ready\n")
        }
        router.get("/api/status") { [status] _, _ -> Response in
            guard let current = await status() else { return .text("not ready\n", status: .serviceUnavailable) }
            var options = JSONEncodingOptions()
            options.preserveProtoFieldNames = true
            return .body(try current.jsonString(options: options), contentType: "application/json")
        }
        // Weak: the application that holds these closures runs inside `run()`, on self.
        router.get("/api/history") { [weak self] request, _ -> Response in
            guard let self else { return .text("stopped\n", status: .serviceUnavailable) }
            return try self.history(since: request.uri.queryParameters.get("since") ?? "0")
        }
        router.get("/") { _, _ in Response.body(DashboardPage.html, contentType: "text/html; charset=utf-8") }
        return router
    }

    private func history(since text: String) throws -> Response {
        guard let since = UInt64(text) else {
            return .text("since must be a whole number of milliseconds, got \"\(text.prefix(64))\"\n", status: .badRequest)
        }
        let samples = Array(history.withLock { $0.samples(after: since) })
        return .body(String(decoding: try JSONEncoder().encode(samples), as: UTF8.self), contentType: "application/json")
    }
}

extension Response {
    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        body(text, contentType: "text/plain; charset=utf-8", status: status)
    }

    static func body(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
