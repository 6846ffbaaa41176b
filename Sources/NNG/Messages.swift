/// The messages arriving on a socket, as an `AsyncSequence`; see ``Socket/messages``.
public struct Messages: AsyncSequence, Sendable {
    public typealias Element = Message

    let socket: Socket

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(socket: socket)
    }

    /// Receives one message per call to `next()`.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let socket: Socket

        /// The next message; `nil` once the socket is closed or the task is cancelled.
        public mutating func next() async throws -> Message? {
            do {
                return try await socket.receive()
            } catch NNGError.Code.closed {
                return nil
            } catch is CancellationError {
                return nil
            }
        }
    }
}
