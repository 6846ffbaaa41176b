import CurriculumWire
import Foundation
import Logging
import NNG
import SwiftProtobuf
import Synchronization

/// The coordinator's HTTP port: Prometheus metrics, health checks, the status as JSON,
/// and the live dashboard.
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
/// Unknown paths get 404 and other methods 405 from nng itself; malformed requests 400.
public final class MonitoringServer: Sendable {
    /// The status to serve, or nil while the coordinator is not ready.
    public typealias StatusProvider = @Sendable () async -> Wire.Status?

    private let server: HTTPServer
    private let metrics: MetricsRegistry?
    private let status: StatusProvider
    private let history: Mutex<StatusHistory>
    private let logger: Logger

    /// Serves on `url` (`http://HOST:PORT`). Without `metrics`, `/metrics` answers 404.
    public init(
        url: String, metrics: MetricsRegistry?, historyCapacity: Int = 900,
        logger: Logger = Logger(label: "curriculum.http"), status: @escaping StatusProvider
    ) throws {
        self.server = try HTTPServer(url: url)
        self.metrics = metrics
        self.status = status
        self.history = Mutex(StatusHistory(capacity: historyCapacity))
        self.logger = logger
        try addRoutes()
    }

    /// Starts serving; returns the bound port (the chosen one when `url` asked for 0).
    @discardableResult
    public func start() throws -> Int {
        try server.start()
        let port = try server.boundPort()
        logger.info("serving metrics, health checks and the dashboard", metadata: ["url": "\(server.url)", "port": "\(port)"])
        return port
    }

    /// Serves and samples the history once a second until cancelled, then stops.
    public func run(samplingEvery period: Duration = .seconds(1)) async throws {
        defer { server.stop() }
        while !Task.isCancelled {
            await sample()
            try await Task.sleep(for: period)
        }
    }

    public func stop() {
        server.stop()
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

    private func addRoutes() throws {
        try server.addHandler(path: "/metrics") { [metrics] _ -> HTTPResponse in
            guard let metrics else { return .text("metrics are not collected by this process\n", status: 404) }
            return .body(Array(metrics.exposition().utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        try server.addHandler(path: "/healthz") { _ in .text("ok\n") }
        try server.addHandler(path: "/readyz") { [status] _ -> HTTPResponse in
            await status() == nil
                ? .text("not ready: the coordinator is not listening yet\n", status: 503) : .text("ready\n")
        }
        try server.addHandler(path: "/api/status") { [status] _ -> HTTPResponse in
            guard let current = await status() else { return .text("not ready\n", status: 503) }
            var options = JSONEncodingOptions()
            options.preserveProtoFieldNames = true
            let json: [UInt8]
            do {
                json = try current.jsonUTF8Bytes(options: options)
            } catch {
                return .text("status could not be encoded: \(error)\n", status: 500)
            }
            return Self.json(json)
        }
        // The server, which self owns, keeps its handlers: a strong self here would be a cycle.
        try server.addHandler(path: "/api/history") { [weak self] request -> HTTPResponse in
            self?.history(request) ?? .text("stopped\n", status: 503)
        }
        try server.addHandler(path: "/") { _ in
            HTTPResponse(
                status: 200, headers: ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"],
                body: Array(DashboardPage.html.utf8))
        }
    }

    private func history(_ request: HTTPRequest) -> HTTPResponse {
        let sinceValue = request.query.first { $0.name == "since" }?.value ?? "0"
        guard let since = UInt64(sinceValue) else {
            return .text("since must be a whole number of milliseconds, got \"\(sinceValue.prefix(64))\"\n", status: 400)
        }
        let samples = Array(history.withLock { $0.samples(after: since) })
        guard let json = try? JSONEncoder().encode(samples) else {
            return .text("history could not be encoded\n", status: 500)
        }
        return Self.json(Array(json))
    }

    private static func json(_ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], body: bytes)
    }
}
