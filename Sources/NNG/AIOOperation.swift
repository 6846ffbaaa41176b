import CNNG
import Synchronization

/// One `nng_aio` and the Swift task waiting on it, reused for one send or receive at a time.
///
/// nng completes every posted aio exactly once, on one of its own threads; the callback
/// finds this object through the `Unmanaged` context pointer given to `nng_aio_alloc` and
/// resumes the waiting task. No thread is parked while the operation is pending.
///
/// The `@unchecked Sendable` is sound because `aio` is assigned only inside `init`,
/// before `self` can be seen by any other thread (nng runs the callback only for a posted
/// operation), and is never written again; every other piece of mutable state lives in
/// `state`, behind a `Mutex`. The nng aio calls made from several threads here
/// (`nng_aio_cancel` racing the completion callback) are documented thread-safe by nng.
final class AIOOperation: @unchecked Sendable {
    enum Completion: Sendable {
        case received(Message)
        case sent
        case failed(Int32)
        /// The task was cancelled before the operation reached nng.
        case cancelledBeforePosting
        /// The socket was closing, so the operation never reached nng (``PostingGate``).
        case closedBeforePosting
    }

    private struct State {
        var continuation: UnsafeContinuation<Completion, Never>?
        var sending = false
        var posted = false
        var cancelled = false
    }

    private var aio: OpaquePointer!
    private let state = Mutex(State())

    init() throws(NNGError) {
        var aio: OpaquePointer?
        let context = Unmanaged.passUnretained(self).toOpaque()
        try NNGError.check(
            nng_aio_alloc(&aio, { context in
                Unmanaged<AIOOperation>.fromOpaque(context!).takeUnretainedValue().complete()
            }, context),
            "nng_aio_alloc"
        )
        self.aio = aio
    }

    deinit {
        // The last reference can be dropped inside our own completion callback, where
        // nng_aio_free would wait for that very callback to return; reaping frees it later.
        nng_aio_reap(aio)
    }

    /// Waits for the next message on `socket`.
    func receive(from socket: nng_socket, through gate: PostingGate) async -> Completion {
        await run(sending: false) { aio in
            gate.post { () -> Bool in
                nng_recv_aio(socket, aio)
                return true
            } ?? false
        }
    }

    /// Sends `msg` on `socket`; ownership of `msg` passes to this call whatever the outcome.
    func send(_ msg: OpaquePointer, on socket: nng_socket, through gate: PostingGate) async -> Completion {
        let completion = await run(sending: true) { aio in
            gate.post { () -> Bool in
                nng_aio_set_msg(aio, msg)
                nng_send_aio(socket, aio)
                return true
            } ?? false
        }
        // Once posted, a failed message is freed by complete(); before that it is still ours.
        switch completion {
        case .cancelledBeforePosting, .closedBeforePosting: nng_msg_free(msg)
        default: break
        }
        return completion
    }

    /// Posts one operation and suspends until nng completes it, cancelling it with the task.
    /// `post` returns false when it posted nothing (the socket is closing).
    private func run(sending: Bool, _ post: (OpaquePointer) -> Bool) async -> Completion {
        let aio = self.aio!
        let completion = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Completion, Never>) in
                let cancelledEarly = state.withLock { state in
                    if state.cancelled { return true }
                    state.continuation = continuation
                    state.sending = sending
                    return false
                }
                if cancelledEarly {
                    continuation.resume(returning: .cancelledBeforePosting)
                    return
                }
                // nng replaces "default" with the socket's current timeout on first use, so it
                // is restored on every post to honour later NNG_OPT_RECVTIMEO/SENDTIMEO changes.
                nng_aio_set_timeout(aio, nng_duration(NNG_DURATION_DEFAULT))
                guard post(aio) else {
                    // Never reaches complete(): hand the continuation back here, once.
                    state.withLock { $0.continuation = nil }
                    continuation.resume(returning: .closedBeforePosting)
                    return
                }
                // A cancellation that arrived between arming and posting could not cancel
                // the aio yet, so it is applied now.
                let cancelNow = state.withLock { state in
                    state.posted = true
                    return state.cancelled
                }
                if cancelNow { nng_aio_cancel(aio) }
            }
        } onCancel: {
            let posted = state.withLock { state in
                state.cancelled = true
                return state.posted
            }
            // nng completes the aio with NNG_ECANCELED, which resumes the task.
            if posted { nng_aio_cancel(self.aio) }
        }
        // The cancellation handler is gone and the callback has run: safe to reuse.
        state.withLock { $0 = State() }
        return completion
    }

    private func complete() {
        let result = nng_aio_result(aio)
        let (continuation, sending) = state.withLock { state in
            let continuation = state.continuation
            state.continuation = nil
            return (continuation, state.sending)
        }
        let completion: Completion
        if result != 0 {
            // On failure nng hands a sent message back to us.
            if sending, let msg = nng_aio_get_msg(aio) {
                nng_aio_set_msg(aio, nil)
                nng_msg_free(msg)
            }
            completion = .failed(result)
        } else if sending {
            completion = .sent
        } else {
            completion = .received(Message(taking: nng_aio_get_msg(aio)!))
        }
        continuation?.resume(returning: completion)
    }
}
