import Foundation

extension Socket {
    /// Starts ``close()`` on a thread of its own and returns at once.
    ///
    /// `nng_close` blocks until nng has reaped the socket's pipes, and with libnng 1.5.2
    /// it occasionally never returns (seen under load: one thread in `nng_close`, nng's
    /// reaper thread parked, every other nng thread idle). A service shutting down must
    /// not hang on it, so its sockets close in the background: pending receives still
    /// fail with ``NNGError/Code/closed`` once the close goes through, and a caller that
    /// must not wait for that cancels its receiving task instead.
    public func closeInBackground() {
        if isClosed { return }
        Thread.detachNewThread { self.close() }
    }
}
