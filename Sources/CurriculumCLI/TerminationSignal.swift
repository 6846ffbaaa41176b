import Foundation

/// SIGINT and SIGTERM, caught from the moment this is made, so a long-running command can
/// shut down gracefully. Make it before the command says it is ready: a caller that signals
/// as soon as it reads that line must find the signal caught (see `CaughtSignals`).
struct TerminationSignal: Sendable {
    private let signals: AsyncStream<Int32>

    init() throws {
        signals = try CaughtSignals.stream(of: [SIGINT, SIGTERM])
    }

    /// Runs `operation` until it ends or a termination signal arrives (one caught before
    /// the call included); on a signal, cancels it and waits for it to finish.
    func runUntilSignalled<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        let signals = self.signals
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                for await _ in signals { return nil }
                throw CancellationError()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
