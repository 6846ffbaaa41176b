import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM, so a long-running command can shut down gracefully.
enum TerminationSignal {
    /// Returns the first SIGINT or SIGTERM after the call; throws if cancelled first.
    static func wait() async throws {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            continuation.finish()
        }
        for await _ in signals { return }
        throw CancellationError()
    }

    /// Runs `operation` until it ends or a termination signal arrives; on a
    /// signal, cancels it and waits for it to finish.
    static func runUntilSignalled<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await wait()
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
