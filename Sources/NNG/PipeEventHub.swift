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
        let id: Int? = state.withLock { state in
            if state.finished { return nil }
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Called on an nng thread; must not block.
    func publish(_ event: PipeEvent) {
        // Yielding under the lock keeps add-before-remove order across nng's threads.
        state.withLock { state in
            for continuation in state.subscribers.values {
                continuation.yield(event)
            }
        }
    }

    func finish() {
        // finish() runs onTermination, which takes the lock: call it outside.
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
