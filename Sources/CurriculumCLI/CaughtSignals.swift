import Foundation
import Synchronization

/// Signals delivered as async streams, caught by a `signal(2)` handler from the moment a
/// stream is asked for.
///
/// The handler writes the signal's number to a pipe, where it waits until read, and one
/// thread hands each number read to the streams that asked for it. (A Dispatch signal
/// source instead needs the signal ignored first and registers itself later, on its
/// manager thread: a signal arriving in between is lost, and under load that took longer
/// than a script needs to signal a coordinator that has just said it is ready.)
enum CaughtSignals {
    /// The pipe's write end, for the handler: a C signal handler can reach no context but
    /// globals. -1 until the pipe exists.
    private static let writeEnd = Atomic<Int32>(-1)
    /// The open streams, by the signals they take.
    private static let subscribers = Mutex<[Int32: [Int: AsyncStream<Int32>.Continuation]]>([:])
    private static let lastStreamID = Atomic<Int>(0)

    /// Every `number` in `numbers` that arrives from now on, until the stream ends.
    static func stream(of numbers: [Int32]) throws -> AsyncStream<Int32> {
        try openPipe()
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let id = lastStreamID.add(1, ordering: .relaxed).newValue
        subscribers.withLock { subscribers in
            for number in numbers { subscribers[number, default: [:]][id] = continuation }
        }
        continuation.onTermination = { _ in
            subscribers.withLock { subscribers in
                for number in numbers { subscribers[number]?[id] = nil }
            }
        }
        for number in numbers {
            signal(number) { number in
                // Only async-signal-safe calls here; errno belongs to the interrupted code.
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(CaughtSignals.writeEnd.load(ordering: .acquiring), &byte, 1)
                errno = saved
            }
        }
        return stream
    }

    private static func openPipe() throws {
        try subscribers.withLock { _ in
            guard writeEnd.load(ordering: .acquiring) < 0 else { return }
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            // A full pipe must not block the handler; the signals already in it suffice.
            _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
            writeEnd.store(ends[1], ordering: .releasing)
            let readEnd = ends[0]
            // Reads for the life of the process, as the handler writes.
            Thread.detachNewThread {
                var byte: UInt8 = 0
                while true {
                    let count = read(readEnd, &byte, 1)
                    if count < 0, errno == EINTR { continue }
                    guard count == 1 else { return }
                    let number = Int32(byte)
                    let continuations = subscribers.withLock { Array($0[number, default: [:]].values) }
                    for continuation in continuations { continuation.yield(number) }
                }
            }
        }
    }
}
