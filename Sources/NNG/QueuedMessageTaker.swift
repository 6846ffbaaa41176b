import CNNG
import Synchronization

/// Takes a message that is already queued on a socket without suspending the caller.
///
/// This is `nng_recvmsg(..., NNG_FLAG_NONBLOCK)` minus its per-call `nng_aio_alloc` and
/// `nng_aio_free`: one callback-less aio with a zero timeout is reused, and nng completes
/// it inline, so under load a receive allocates nothing besides the small box that owns the message.
final class QueuedMessageTaker: Sendable {
    enum Attempt: Sendable {
        case message(Message)
        case empty
        case failed(Int32)
        /// Another task is using the aio right now.
        case busy
    }

    private let aio: Mutex<OpaquePointer?>

    init() throws(NNGError) {
        var aio: OpaquePointer?
        try NNGError.check(nng_aio_alloc(&aio, nil, nil), "nng_aio_alloc")
        nng_aio_set_timeout(aio, nng_duration(NNG_DURATION_ZERO))
        self.aio = Mutex(aio)
    }

    deinit {
        // No callback is registered, so freeing cannot wait on the thread running deinit.
        aio.withLock { nng_aio_free($0) }
    }

    func take(from socket: Socket) -> Attempt {
        let attempt = aio.withLockIfAvailable { aio -> Attempt in
            socket.postingGate.post { () -> Attempt in
                // With a zero timeout nng finishes the aio before nng_recv_aio returns.
                nng_recv_aio(socket.handle, aio)
                nng_aio_wait(aio)
                switch nng_aio_result(aio) {
                case 0: return .message(Message(taking: nng_aio_get_msg(aio)!))
                case Int32(NNG_ETIMEDOUT.rawValue): return .empty
                case let code: return .failed(code)
                }
            } ?? .failed(PostingGate.closed)
        }
        return attempt ?? .busy
    }
}
