import CNNG
import Synchronization

/// Keeps operations from being posted on a socket once it starts closing.
///
/// libnng 1.5.2 can wedge its reaper for good when `nng_close` runs while another thread is
/// inside `nng_recv_aio` or `nng_send_aio`, with the aio begun but not yet scheduled
/// (nanomsg/nng#1813): every later close in the process then blocks. Seen here as a test
/// process stalled with hundreds of threads in `nng_close`, after a monitor closed its socket
/// while its receive loop was taking messages. Every post goes through ``post(_:)`` and
/// ``Socket/close()`` shuts the gate first, so an operation is either scheduled before the
/// close begins (and then aborted by it, which nng handles) or never posted at all.
final class PostingGate: Sendable {
    private let shut = Mutex(false)

    /// Runs `body`, which posts an operation, unless the gate is shut; nil if it is.
    func post<Result: Sendable>(_ body: () -> Result) -> Result? {
        shut.withLock { shut in shut ? nil : body() }
    }

    /// Shuts the gate, waiting for a post in progress to finish.
    func shutBehindPostsInProgress() {
        shut.withLock { $0 = true }
    }

    /// What an operation the gate refused completes with.
    static let closed = Int32(NNG_ECLOSED.rawValue)
}
