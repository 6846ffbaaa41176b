import Synchronization

/// Fans the socket's pipe notifications out to every stream made by `Socket.pipeEvents()`.
final class PipeEventHub: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<PipeEvent>.Continuation] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    func makeStream() -> AsyncStream<PipeEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PipeEvent.self)
        let registered = state.withLock { state in
            if state.finished { return false }
            state.subscribers[state.nextID] = continuation
            state.nextID += 1
            return true
        }
        if !registered { continuation.finish() }
        return stream
    }

    /// Called on an nng thread; must not block.
    func publish(_ event: PipeEvent) {
        // Yielding under the lock keeps add-before-remove order across nng's threads.
        // A stream whose consumer is gone (cancelled, or the stream dropped) answers
        // `.terminated` and is forgotten here. It is not removed by an onTermination
        // handler: cancelling the consuming task runs that handler while Swift holds the
        // task's status lock, and a handler taking this lock would deadlock against a
        // yield here, which takes this lock and then, to resume the task, its status lock.
        state.withLock { state in
            for (id, continuation) in state.subscribers {
                if case .terminated = continuation.yield(event) {
                    state.subscribers[id] = nil
                }
            }
        }
    }

    func finish() {
        // Finishing resumes the consumers: do it outside the lock, as nothing needs order here.
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in subscribers {
            continuation.finish()
        }
    }
}
