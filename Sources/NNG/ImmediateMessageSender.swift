import CNNG
import Synchronization

/// Sends a message without suspending the caller when nng takes it at once.
///
/// This is `nng_sendmsg(..., NNG_FLAG_NONBLOCK)` minus its per-call `nng_aio_alloc` and
/// `nng_aio_free` (in libnng 1.5.2 an allocation, a lock and condition set-up and a
/// `getrandom` system call every time): one callback-less aio with a zero timeout is
/// reused, and nng completes it before `nng_send_aio` returns when the protocol can take
/// the message (a publisher always can).
///
/// The `@unchecked Sendable` is sound because `aio` is a `let` assigned in `init`, and
/// every use of it between `init` and `deinit` happens while `inUse` is held: `send`
/// takes it with a compare-and-exchange and gives it back when the aio is idle again.
/// `deinit` runs after the last reference is gone, so no send can overlap `nng_aio_free`.
final class ImmediateMessageSender: @unchecked Sendable {
    enum Attempt: Sendable {
        case sent
        /// nng could not take it without waiting; the message was freed.
        case wouldBlock
        case failed(Int32)
        /// Another task is using the aio right now; the message is still the caller's.
        case busy
    }

    private let aio: OpaquePointer
    private let inUse = Atomic(false)

    init() throws(NNGError) {
        var aio: OpaquePointer?
        try NNGError.check(nng_aio_alloc(&aio, nil, nil), "nng_aio_alloc")
        nng_aio_set_timeout(aio, nng_duration(NNG_DURATION_ZERO))
        self.aio = aio!
    }

    deinit {
        // No callback is registered, so freeing cannot wait on the thread running deinit.
        nng_aio_free(aio)
    }

    /// Sends `msg` on `socket`. Unless the answer is `.busy`, ownership of `msg` has passed
    /// to this call: nng took it or it was freed.
    func send(_ msg: OpaquePointer, on socket: Socket) -> Attempt {
        guard inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return .busy
        }
        defer { inUse.store(false, ordering: .releasing) }
        let posted = socket.postingGate.post { () -> Int32 in
            nng_aio_set_msg(aio, msg)
            nng_send_aio(socket.handle, aio)
            nng_aio_wait(aio)
            return nng_aio_result(aio)
        }
        guard let result = posted else {
            nng_msg_free(msg)
            return .failed(PostingGate.closed)
        }
        switch result {
        case 0: return .sent
        case let code:
            // A message that was not sent stays with the aio, and is ours to free.
            nng_msg_free(nng_aio_get_msg(aio))
            return code == Int32(NNG_ETIMEDOUT.rawValue) ? .wouldBlock : .failed(code)
        }
    }
}
