import CNNG

extension Socket {
    /// Sends a message if nng takes it at once, without suspending; returns false when it
    /// would have to wait (the caller may then use ``send(_:)``).
    ///
    /// A publisher never waits, so for one this is ``send(_:)`` minus the executor hop an
    /// `async` call costs an actor: the call runs on the caller's executor.
    ///
    /// `header` is the message's protocol header: on a raw socket, what the protocol would
    /// otherwise write itself (a raw REQ's request ID, or the backtrace a raw REP's reply
    /// carries, taken from the request's ``Message/header``).
    public func trySend(_ bytes: [UInt8], header: [UInt8] = []) throws(NNGError) -> Bool {
        try trySend(byteCount: bytes.count, header: header) { body in
            bytes.withUnsafeBytes { body.copyMemory(from: $0) }
        }
    }

    /// ``trySend(_:)`` for a message that `write` writes straight into nng's buffer of
    /// `byteCount` bytes, rather than into an array that is then copied.
    public func trySend(
        byteCount: Int, header: [UInt8] = [], _ write: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(NNGError) -> Bool {
        var msg: OpaquePointer?
        try NNGError.check(nng_msg_alloc(&msg, byteCount), "nng_msg_alloc")
        if !header.isEmpty {
            let appended = header.withUnsafeBytes { nng_msg_header_append(msg, $0.baseAddress, $0.count) }
            if appended != 0 { nng_msg_free(msg) }
            try NNGError.check(appended, "nng_msg_header_append")
        }
        write(UnsafeMutableRawBufferPointer(start: nng_msg_body(msg), count: byteCount))
        switch immediateSender.send(msg!, on: self) {
        case .sent: return true
        case .wouldBlock: return false
        case .failed(let code): throw NNGError(code: code, operation: "nng_send_aio")
        case .busy:
            // Another task holds the shared aio; nng_sendmsg brings its own.
            let result = postingGate.post { nng_sendmsg(handle, msg, Int32(NNG_FLAG_NONBLOCK)) } ?? PostingGate.closed
            if result != 0 { nng_msg_free(msg) }
            if result == Int32(NNG_EAGAIN.rawValue) { return false }
            try NNGError.check(result, "nng_sendmsg")
            return true
        }
    }

    /// The messages arriving on this socket, in batches of at most `maximum`, for
    /// `for try await` loops: each batch waits for one message, then adds those already
    /// queued behind it without suspending again.
    ///
    /// A consumer that crosses to an actor per message pays one hop per message; per batch,
    /// it pays one hop for all that arrived while it was busy. The sequence ends like
    /// ``messages``: when the socket is closed or the iterating task is cancelled.
    public func messageBatches(maximum: Int) -> MessageBatches {
        precondition(maximum > 0, "a batch holds at least one message")
        return MessageBatches(socket: self, maximum: maximum)
    }
}

/// Batches of received messages; see ``Socket/messageBatches(maximum:)``.
public struct MessageBatches: AsyncSequence, Sendable {
    public typealias Element = [Message]

    let socket: Socket
    let maximum: Int

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(socket: socket, maximum: maximum)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let socket: Socket
        let maximum: Int
        /// Allocated on first use; reused for every later batch of this iterator.
        private var taker: QueuedMessageTaker?

        init(socket: Socket, maximum: Int) {
            self.socket = socket
            self.maximum = maximum
        }

        /// The next batch; `nil` once the socket is closed or the task is cancelled.
        public mutating func next() async throws -> [Message]? {
            let first: Message
            do {
                first = try await socket.receive()
            } catch NNGError.Code.closed {
                return nil
            } catch is CancellationError {
                return nil
            }
            var batch = [first]
            guard maximum > 1 else { return batch }
            if taker == nil { taker = try QueuedMessageTaker() }
            while batch.count < maximum, case .message(let message) = taker!.take(from: socket) {
                batch.append(message)
            }
            // Empty, busy (another receiver holds the aio) or failed: end the batch here; a
            // failure such as a close surfaces on the next call's blocking receive.
            return batch
        }
    }
}
