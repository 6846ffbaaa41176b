import ServiceLifecycle

/// A coordinator runs in a `ServiceGroup`: a graceful shutdown (SIGTERM or SIGINT in the CLI)
/// ends `run()`, which closes the sockets and saves a snapshot, so the next start replays nothing.
extension Coordinator: Service {
    /// Returns once the `ServiceGroup` running this task shuts down gracefully; outside a group,
    /// or when the task is cancelled first, it waits for cancellation and returns then, leaving
    /// the cancellation to end `run()`.
    static func untilGracefulShutdown() async {
        try? await gracefulShutdown()
    }
}
