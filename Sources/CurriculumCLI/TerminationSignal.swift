import Dispatch
import Foundation

/// SIGINT and SIGTERM, caught from the moment this is made until it is released, so a
/// long-running command can shut down gracefully. Make it before the command says it is
/// ready: a caller that signals as soon as it reads that line must find the signal caught,
/// not ignored.
final class TerminationSignal {
    private let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init() {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.signals = signals
        sources = [SIGINT, SIGTERM].map { number in
            // Ignored by default so the signal only reaches the source.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
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
