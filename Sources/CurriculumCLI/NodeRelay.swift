import CurriculumWire
import NNG
import ServiceLifecycle

/// A node relay: nng's own forwarding (`nng_device`) between one node's workers and the
/// coordinator, one device per endpoint.
///
/// - Broadcast: a raw SUB dialing the coordinator's broadcast URL forwards policies to a raw
///   PUB listening on the node's broadcast URL.
/// - Requests: a raw REP listening on the node's requests URL and a raw REQ dialing the
///   coordinator's carry joins, reports, heartbeats and leaves up, and each answer back down
///   to the worker that asked: nng's backtrace in the message header routes it.
///
/// The coordinator's fan-out is then one connection per node, however many workers it has.
/// Raw sockets neither filter nor re-frame, so every frame arrives with the bytes its worker
/// wrote: signatures verify at the coordinator, and exactly-once, leases and authentication
/// are the workers' own protocol end to end. The relay keeps no state, so restarting it loses
/// nothing the workers have not kept for resending: like any lost connection, they resend
/// every report not yet acknowledged.
final class NodeRelay: Service {
    struct Endpoints: Sendable, Hashable {
        var broadcastURL: String
        var requestsURL: String
    }

    struct Configuration: Sendable {
        var coordinatorBroadcastURL: String
        var coordinatorRequestsURL: String
        var broadcastURL: String
        var requestsURL: String
        /// For dialing a `tls+tcp://` coordinator.
        var coordinatorTLS: TLSConfiguration?
        /// For serving `tls+tcp://` node endpoints.
        var nodeTLS: TLSConfiguration?
    }

    let configuration: Configuration
    private let fromCoordinator: Socket
    private let toWorkers: Socket
    private let workerRequests: Socket
    private let coordinatorRequests: Socket

    init(configuration: Configuration) throws {
        self.configuration = configuration
        fromCoordinator = try Socket(.subscriber, raw: true)
        toWorkers = try Socket(.publisher, raw: true)
        workerRequests = try Socket(.replier, raw: true)
        coordinatorRequests = try Socket(.requester, raw: true)
        // The same limits as the ends the relay stands in for: the workers' subscriber (down)
        // and the coordinator's requests socket (up), so a relay cuts off no frame that a
        // direct connection would carry. Requests and replies queue as deep as at the
        // coordinator; policies as shallowly, so that a newer one supersedes a queued one.
        try fromCoordinator.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize)
        try workerRequests.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize * Self.requestFrameLimitFactor)
        try coordinatorRequests.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize)
        for socket in [workerRequests, coordinatorRequests] {
            try socket.setReceiveBufferSize(8192)
            try socket.setSendBufferSize(8192)
        }
        try fromCoordinator.setReceiveBufferSize(Self.broadcastQueueDepth)
        try toWorkers.setSendBufferSize(Self.broadcastQueueDepth)
    }

    /// The coordinator's requests socket accepts frames up to this many times the default
    /// frame size (Coordinator.transportLimitFactor), so that an oversized report reaches its
    /// decoder and is counted there instead of being cut off on the way.
    static let requestFrameLimitFactor = 4
    /// The coordinator's own broadcast queue depth (Coordinator.broadcastQueueDepth).
    static let broadcastQueueDepth = 16

    /// Binds the node's endpoints and starts dialing the coordinator (in the background: nng
    /// keeps redialing, so the coordinator may start later or restart).
    func listen() throws -> Endpoints {
        let broadcast = try toWorkers.listen(configuration.broadcastURL, tls: Self.tls(configuration.nodeTLS, for: configuration.broadcastURL))
        let requests = try workerRequests.listen(configuration.requestsURL, tls: Self.tls(configuration.nodeTLS, for: configuration.requestsURL))
        try fromCoordinator.dial(
            configuration.coordinatorBroadcastURL,
            tls: Self.tls(configuration.coordinatorTLS, for: configuration.coordinatorBroadcastURL))
        try coordinatorRequests.dial(
            configuration.coordinatorRequestsURL,
            tls: Self.tls(configuration.coordinatorTLS, for: configuration.coordinatorRequestsURL))
        return Endpoints(broadcastURL: broadcast.boundURL, requestsURL: requests.boundURL)
    }

    /// Forwards until the group shuts down gracefully (or the task is cancelled), then closes
    /// all four sockets. If either device fails, both stop and the error is thrown.
    func run() async throws {
        // Sources first: with libnng 1.5.2 a device ends only once its source closes (Socket.forward).
        defer {
            for socket in [fromCoordinator, workerRequests, toWorkers, coordinatorRequests] { socket.closeInBackground() }
        }
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Socket.forward(from: self.fromCoordinator, to: self.toWorkers) }
                // Both ways: requests up, replies down.
                group.addTask { try await Socket.forward(from: self.workerRequests, to: self.coordinatorRequests) }
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
