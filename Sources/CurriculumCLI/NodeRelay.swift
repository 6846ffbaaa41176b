import CurriculumWire
import NNG
import ServiceLifecycle

/// A node relay: nng's own forwarding (`nng_device`) between one node's workers and the
/// coordinator, one device per direction.
///
/// - Down: a raw SUB dialing the coordinator's broadcast URL forwards policies,
///   acknowledgements and control frames to a raw PUB listening on the node's broadcast URL.
/// - Up: a raw SUB listening on the node's reports URL forwards joins, reports, heartbeats and
///   leaves to a raw PUB dialing the coordinator's reports URL.
///
/// Raw sockets neither filter nor re-frame, so every frame arrives with the bytes its worker
/// wrote: signatures verify at the coordinator, and exactly-once, leases and authentication
/// are the workers' own protocol end to end. The relay keeps no state, so restarting it loses
/// nothing the workers have not kept for resending: like any lost connection, they resend
/// every report not yet acknowledged.
final class NodeRelay: Service {
    struct Endpoints: Sendable, Hashable {
        var broadcastURL: String
        var reportsURL: String
    }

    struct Configuration: Sendable {
        var coordinatorBroadcastURL: String
        var coordinatorReportsURL: String
        var broadcastURL: String
        var reportsURL: String
        /// For dialing a `tls+tcp://` coordinator.
        var coordinatorTLS: TLSConfiguration?
        /// For serving `tls+tcp://` node endpoints.
        var nodeTLS: TLSConfiguration?
    }

    let configuration: Configuration
    private let fromCoordinator: Socket
    private let toWorkers: Socket
    private let fromWorkers: Socket
    private let toCoordinator: Socket

    init(configuration: Configuration) throws {
        self.configuration = configuration
        fromCoordinator = try Socket(.subscriber, raw: true)
        toWorkers = try Socket(.publisher, raw: true)
        fromWorkers = try Socket(.subscriber, raw: true)
        toCoordinator = try Socket(.publisher, raw: true)
        // The same limits and queue depths as the ends the relay stands in for: the workers'
        // subscriber (down) and the coordinator's inbox and broadcaster (up and to the workers),
        // so a relay cuts off no frame that a direct connection would carry and queues as deep.
        try fromCoordinator.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize)
        try fromWorkers.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize * Self.reportsFrameLimitFactor)
        for socket in [fromCoordinator, fromWorkers] { try socket.setReceiveBufferSize(8192) }
        for socket in [toWorkers, toCoordinator] { try socket.setSendBufferSize(8192) }
    }

    /// The coordinator's inbox accepts frames up to this many times the default frame size
    /// (Coordinator.transportLimitFactor), so that an oversized report reaches its decoder and
    /// is counted there instead of being cut off on the way.
    static let reportsFrameLimitFactor = 4

    /// Binds the node's endpoints and starts dialing the coordinator (in the background: nng
    /// keeps redialing, so the coordinator may start later or restart).
    func listen() throws -> Endpoints {
        let broadcast = try toWorkers.listen(configuration.broadcastURL, tls: Self.tls(configuration.nodeTLS, for: configuration.broadcastURL))
        let reports = try fromWorkers.listen(configuration.reportsURL, tls: Self.tls(configuration.nodeTLS, for: configuration.reportsURL))
        try fromCoordinator.dial(
            configuration.coordinatorBroadcastURL,
            tls: Self.tls(configuration.coordinatorTLS, for: configuration.coordinatorBroadcastURL))
        try toCoordinator.dial(
            configuration.coordinatorReportsURL,
            tls: Self.tls(configuration.coordinatorTLS, for: configuration.coordinatorReportsURL))
        return Endpoints(broadcastURL: broadcast.boundURL, reportsURL: reports.boundURL)
    }

    /// Forwards in both directions until the group shuts down gracefully (or the task is
    /// cancelled), then closes all four sockets. If either device fails, both stop and the
    /// error is thrown.
    func run() async throws {
        // Sources first: with libnng 1.5.2 a device ends only once its source closes (Socket.forward).
        defer { for socket in [fromCoordinator, fromWorkers, toWorkers, toCoordinator] { socket.closeInBackground() } }
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Socket.forward(from: self.fromCoordinator, to: self.toWorkers) }
                group.addTask { try await Socket.forward(from: self.fromWorkers, to: self.toCoordinator) }
                // Either device ending (a socket closed or failed) ends the relay: cancelling
                // the other closes its sockets too.
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }

    /// TLS material applies to `tls+tcp://` URLs only; plain tcp, ipc and inproc ignore it.
    private static func tls(_ configuration: TLSConfiguration?, for url: String) -> TLSConfiguration? {
        url.hasPrefix("tls+tcp://") ? configuration : nil
    }
}
