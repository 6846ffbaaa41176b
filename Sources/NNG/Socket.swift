import CNNG
import Synchronization

/// An nng socket: one end of a pub/sub, req/rep or survey conversation.
///
/// A socket is safe to use from many tasks at once (nng sockets are thread-safe).
/// Receiving never parks a thread: a message that is already queued is taken
/// immediately, otherwise the task suspends on an `nng_aio` that nng completes.
///
/// ```swift
/// let sub = try Socket(.subscriber)
/// try sub.subscribe(to: "weather.")
/// try sub.dial("tcp://127.0.0.1:5555")
/// for try await message in sub.messages { print(message.string) }
/// ```
public final class Socket: Sendable {
    /// The protocol this socket speaks.
    public let socketProtocol: SocketProtocol

    let handle: nng_socket
    private let closed = Atomic(false)
    private let pipeEventHub = PipeEventHub()
    private let queuedMessages: QueuedMessageTaker
    let immediateSender: ImmediateMessageSender
    /// One idle operation kept for the next slow-path send or receive, so a steady
    /// consumer reuses a single `nng_aio` instead of allocating one per message.
    private let spareOperation = Mutex<AIOOperation?>(nil)
    /// Every send and receive is posted through it; ``close()`` shuts it first.
    let postingGate = PostingGate()

    /// Opens a socket speaking `socketProtocol`.
    ///
    /// A raw socket (`raw: true`) does no protocol processing: a raw subscriber receives
    /// every message (no subscriptions), and raw sockets are what ``forward(from:to:)``
    /// passes messages between.
    public init(_ socketProtocol: SocketProtocol, raw: Bool = false) throws(NNGError) {
        var handle = nng_socket()
        try NNGError.check(
            socketProtocol.open(&handle, raw: raw), "nng_socket_open", "\(socketProtocol)\(raw ? " (raw)" : "")")
        self.socketProtocol = socketProtocol
        self.handle = handle
        do {
            self.queuedMessages = try QueuedMessageTaker()
            self.immediateSender = try ImmediateMessageSender()
        } catch {
            nng_close(handle)
            throw error
        }

        // The hub lives as long as this object, and nng_close (in close()) returns only
        // after every pipe callback has finished, so the unretained pointer never dangles.
        let hub = Unmanaged.passUnretained(pipeEventHub).toOpaque()
        for event in [NNG_PIPE_EV_ADD_POST, NNG_PIPE_EV_REM_POST] {
            let result = nng_pipe_notify(handle, event, { pipe, event, hub in
                let kind: PipeEvent.Kind = event == NNG_PIPE_EV_ADD_POST ? .added : .removed
                Unmanaged<PipeEventHub>.fromOpaque(hub!).takeUnretainedValue()
                    .publish(PipeEvent(pipe: PipeID(rawValue: pipe.id), kind: kind))
            }, hub)
            if result != 0 {
                nng_close(handle)
                throw NNGError(code: result, operation: "nng_pipe_notify")
            }
        }
    }

    deinit {
        close()
    }

    /// Closes the socket, its listeners, dialers and connections.
    ///
    /// Pending receives and sends fail with ``NNGError/Code/closed``, message sequences
    /// end, and pipe event streams finish. Closing again does nothing.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        postingGate.shutBehindPostsInProgress()
        endConnectionsAtTheirNextMessage()
        nng_close(handle)
        pipeEventHub.finish()
        spareOperation.withLock { $0 = nil }
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Sends a message.
    ///
    /// A publisher never waits: when a subscriber's queue is full nng drops its oldest
    /// message. Other protocols suspend while nng cannot accept the message (for example
    /// a requester with no peer yet), bounded by the send timeout.
    public func send(_ bytes: [UInt8]) async throws {
        let result = bytes.withUnsafeBytes { body in
            postingGate.post {
                nng_send(handle, UnsafeMutableRawPointer(mutating: body.baseAddress), body.count, nonblocking)
            } ?? PostingGate.closed
        }
        if result == 0 { return }
        guard result == tryAgain else { throw NNGError(code: result, operation: "nng_send") }

        var msg: OpaquePointer?
        try NNGError.check(nng_msg_alloc(&msg, bytes.count), "nng_msg_alloc")
        if !bytes.isEmpty {
            bytes.withUnsafeBytes { nng_msg_body(msg)!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        let operation = try takeOperation()
        defer { recycle(operation) }
        switch await operation.send(msg!, on: handle, through: postingGate) {
        case .sent: return
        case .failed(let code): throw Self.error(code, "nng_send_aio")
        case .closedBeforePosting: throw NNGError(code: PostingGate.closed, operation: "nng_send_aio")
        case .cancelledBeforePosting: throw CancellationError()
        case .received: preconditionFailure("a send completed as a receive")
        }
    }

    /// Sends the UTF-8 bytes of `string`.
    public func send(_ string: String) async throws {
        try await send(Array(string.utf8))
    }

    /// Receives the next message.
    ///
    /// Throws ``NNGError/Code/closed`` if the socket is closed while waiting,
    /// ``NNGError/Code/timedOut`` when the receive timeout passes, and
    /// `CancellationError` when the calling task is cancelled (the pending nng
    /// operation is cancelled with it).
    public func receive() async throws -> Message {
        try Task.checkCancellation()
        // Under load a message is usually queued already: take it without suspending.
        switch queuedMessages.take(from: self) {
        case .message(let message): return message
        case .failed(let code): throw NNGError(code: code, operation: "nng_recv_aio")
        case .empty: break
        case .busy:
            // Another task holds the shared aio; nng_recvmsg brings its own.
            var msg: OpaquePointer?
            let result = postingGate.post { nng_recvmsg(handle, &msg, nonblocking) } ?? PostingGate.closed
            if result == 0 { return Message(taking: msg!) }
            guard result == tryAgain else { throw NNGError(code: result, operation: "nng_recvmsg") }
        }

        let operation = try takeOperation()
        defer { recycle(operation) }
        switch await operation.receive(from: handle, through: postingGate) {
        case .received(let message): return message
        case .failed(let code): throw Self.error(code, "nng_recv_aio")
        case .closedBeforePosting: throw NNGError(code: PostingGate.closed, operation: "nng_recv_aio")
        case .cancelledBeforePosting: throw CancellationError()
        case .sent: preconditionFailure("a receive completed as a send")
        }
    }

    /// The messages arriving on this socket, for `for try await` loops.
    ///
    /// The sequence ends when the socket is closed or the iterating task is cancelled,
    /// and throws any other receive error (such as a timeout).
    public var messages: Messages { Messages(socket: self) }

    /// A stream of pipe added/removed events from now on, for this socket's connections.
    ///
    /// Each call returns an independent stream; it finishes when the socket is closed.
    /// Call it before `listen`/`dial` so no early event is missed.
    public func pipeEvents() -> AsyncStream<PipeEvent> {
        pipeEventHub.makeStream()
    }

    private func takeOperation() throws(NNGError) -> AIOOperation {
        if let spare = spareOperation.withLock({ $0.take() }) { return spare }
        return try AIOOperation()
    }

    private func recycle(_ operation: AIOOperation) {
        if isClosed { return }
        spareOperation.withLock { spare in
            if spare == nil { spare = operation }
        }
    }

    private static func error(_ code: Int32, _ operation: String) -> any Error {
        code == Int32(NNG_ECANCELED.rawValue) ? CancellationError() : NNGError(code: code, operation: operation)
    }
}

private let nonblocking = Int32(NNG_FLAG_NONBLOCK)
private let tryAgain = Int32(NNG_EAGAIN.rawValue)
