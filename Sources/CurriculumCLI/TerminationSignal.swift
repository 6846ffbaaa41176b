import Foundation
import Synchronization

/// Where the signal handler writes: a C signal handler can reach no context but globals.
/// -1 until a `TerminationSignal` is made.
private let terminationPipe = Atomic<Int32>(-1)

/// SIGINT and SIGTERM, caught from the moment this is made, so a long-running command can
/// shut down gracefully. Make it (once per process) before the command says it is ready: a
/// caller that signals as soon as it reads that line must find the signal caught.
///
/// The handler is installed at once with `signal(2)` and writes the signal's number to a
/// pipe, where it waits until read. (A Dispatch signal source instead needed the signal
/// ignored first and registered itself later, on its manager thread: a signal arriving in
/// between was lost, and under load that took more than the time a script needs to react.)
struct TerminationSignal: Sendable {
    private let signals: AsyncStream<Int32>

    init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // A full pipe must not block the handler; one byte in it is enough to stop.
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        terminationPipe.store(ends[1], ordering: .releasing)
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                // Only async-signal-safe calls here; errno belongs to the interrupted code.
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(terminationPipe.load(ordering: .acquiring), &byte, 1)
                errno = saved
            }
        }
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.signals = signals
        let readEnd = ends[0]
        // Blocks in read for the life of the process, as the handler does.
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 { continuation.yield(Int32(byte)) }
        }
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
