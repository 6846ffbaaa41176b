import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `curriculum relay`: one node's relay between its workers and the coordinator.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run a node relay: forward this node's workers' frames to the coordinator and back, unchanged.",
        discussion: """
            Workers on this node dial --broadcast and --requests (usually ipc://) instead of the \
            coordinator's; the relay dials --coordinator-broadcast and --coordinator-requests, so the \
            coordinator's fan-out is one connection per node. Frames pass byte for byte (nng_device on \
            raw sockets): signatures, exactly-once and leases are the workers' and the coordinator's \
            own, and the relay holds no state, so restarting it loses nothing. A tcp:// URL with port 0 \
            binds a free port; the bound URLs are printed on the first line of standard output as \
            `listening broadcast=URL requests=URL`. The --tls-* flags apply to tls+tcp:// URLs: \
            --tls-ca and --tls-server-name verify the coordinator, --tls-certificate and --tls-key \
            serve tls+tcp:// node endpoints. SIGINT or SIGTERM stops it.
            """
    )

    @Option(help: "The coordinator's broadcast URL (its --broadcast).")
    var coordinatorBroadcast: String

    @Option(help: "The coordinator's requests URL (its --requests).")
    var coordinatorRequests: String

    @Option(help: "URL this node's workers dial as their --broadcast, e.g. ipc:///run/curriculum/broadcast.")
    var broadcast: String

    @Option(help: "URL this node's workers dial as their --requests, e.g. ipc:///run/curriculum/requests.")
    var requests: String

    @OptionGroup var tls: TLSOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        for (flag, url) in [
            ("coordinator-broadcast", coordinatorBroadcast), ("coordinator-requests", coordinatorRequests),
            ("broadcast", broadcast), ("requests", requests),
        ] where !url.contains("://") {
            throw ValidationError("--\(flag) must be a URL such as tcp://HOST:PORT or ipc:///PATH, got '\(url)'")
        }
        guard broadcast != requests else { throw ValidationError("--broadcast and --requests must differ") }
        if [broadcast, requests].contains(where: { $0.hasPrefix("tls+tcp://") }), tls.tlsCertificate == nil {
            throw ValidationError("a tls+tcp:// --broadcast or --requests needs --tls-certificate and --tls-key")
        }
    }

    func run() async throws {
        logging.bootstrap()
        let relay = try NodeRelay(configuration: .init(
            coordinatorBroadcastURL: coordinatorBroadcast, coordinatorRequestsURL: coordinatorRequests,
            broadcastURL: broadcast, requestsURL: requests,
            coordinatorTLS: try tls.configuration(server: false), nodeTLS: try tls.configuration(server: true)))
        let endpoints = try relay.listen()
        let logger = Logger(label: "curriculum.relay")
        logger.info("relay forwarding", metadata: [
            "coordinator_broadcast": "\(coordinatorBroadcast)", "coordinator_requests": "\(coordinatorRequests)",
            "broadcast": "\(endpoints.broadcastURL)", "requests": "\(endpoints.requestsURL)",
        ])
        try await ServiceGroup.stoppedBySignals([
            .init(service: relay),
            .cancelledOnShutdown("ready line", whenDone: .ignore) {
                // Scripts and tests wait for this line: write it unbuffered. The group caught
                // SIGTERM and SIGINT before it started this service.
                FileHandle.standardOutput.write(Data(
                    "listening broadcast=\(endpoints.broadcastURL) requests=\(endpoints.requestsURL)\n".utf8))
            },
        ], logger: logger).run()
        logger.info("relay stopped")
    }
}
