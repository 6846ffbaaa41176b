import Foundation

extension Socket {
    /// Starts ``close()`` on a thread of its own and returns at once.
    ///
    /// `nng_close` blocks until nng has reaped the socket's pipes, and libnng 1.5.2 (the
    /// Debian package) occasionally never returns when a receive races the close: an aio
    /// caught between being begun and being scheduled keeps its task busy, and the reaper
    /// waits for it forever (upstream nanomsg/nng#1813, fixed in 1.8). Seen here as one
    /// thread in `nng_close`, the reaper parked and every other nng thread idle. A service
    /// shutting down must not hang on it, so its sockets close in the background: pending
    /// receives still fail with ``NNGError/Code/closed`` once the close goes through, and
    /// a caller that must not wait for that cancels its receiving task instead.
    public func closeInBackground() {
        if isClosed { return }
        Thread.detachNewThread { self.close() }
    }
}
