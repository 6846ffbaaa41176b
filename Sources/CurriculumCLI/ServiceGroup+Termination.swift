import Logging
import ServiceLifecycle

extension ServiceGroup {
    /// A group that SIGTERM and SIGINT shut down gracefully: its services stop in the reverse of
    /// their order, each once the one after it has returned.
    ///
    /// The group registers its signal sources (and waits for libdispatch to confirm each) before
    /// it starts any service, so a service that says the process is ready (the coordinator's
    /// `listening` line) says so only once a signal sent in response is caught.
    static func stoppedBySignals(_ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger)
        -> ServiceGroup
    {
        ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }
}

extension ServiceGroupConfiguration.ServiceConfiguration {
    /// A service that runs `operation` until it returns or the group shuts down gracefully,
    /// which cancels it.
    static func cancelledOnShutdown(
        _ name: String, whenDone: TerminationBehavior = .cancelGroup,
        _ operation: @escaping @Sendable () async throws -> Void
    ) -> Self {
        .init(
            service: ClosureService { try await cancelWhenGracefulShutdown(operation) },
            successTerminationBehavior: whenDone, serviceName: name)
    }
}
