import Demo
import Foundation
import Monitoring

/// `curriculum demo --dashboard`: the live dashboard of whichever demo run is in progress.
struct DemoDashboard {
    let observer = RunObserver()
    let metrics = MetricsRegistry()
    let url: String
    private let task: Task<Void, any Error>

    /// Starts serving on `address`; returns once the port is bound.
    init(address: String) async throws {
        let server = MonitoringServer(address: try MonitoringAddress(address), metrics: metrics) { [observer] in
            await observer.status()
        }
        let (bound, port) = AsyncStream<Int>.makeStream()
        task = Task {
            defer { port.finish() }
            try await server.run { port.yield($0) }
        }
        guard let chosen = await bound.first(where: { _ in true }) else {
            // The server never listened: its task holds why.
            try await task.value
            throw CancellationError()
        }
        url = server.address.url(port: chosen) + "/"
    }

    func stop() {
        task.cancel()
    }
}
