import CNNG

extension Socket {
    /// Makes every connection of this socket end itself at the next message it receives,
    /// so that ``close()`` does not race a receive in progress.
    ///
    /// libnng 1.5.2's TCP, IPC and TLS transports restart a read from their read callback
    /// (for a message body, or the rest of a short read) without checking whether the
    /// connection was closed meanwhile. A close that lands between a read completing and its
    /// callback running stops the transport's read aio first, so the restarted read is
    /// silently refused, its callback never runs, and the protocol's receive stays pending
    /// for good. nng's single reaper thread then waits for that receive when it tears the
    /// connection down, and never returns: every later close in the process blocks, and no
    /// dialer reconnects, since redials are started by the reaper (nanomsg/nng#1813, fixed
    /// in 1.8 by aborting such operations).
    ///
    /// Seen here in `gdb` on a stalled `swift test`, with a debug build of libnng 1.5.2: the
    /// reaper in `pipe_destroy` → `nni_aio_stop` → `nni_task_wait` on a subscriber
    /// connection's receive (`sub0_recv_cb`, begun and never finished), 617 threads in
    /// `nng_close`. It stalled 3 of 3 local runs of the full suite, and CI's run until its
    /// time limit; `CloseUnderLoadTests` wedges it within 9 closes.
    ///
    /// With a one-byte receive limit, which nng applies to the connections already open, the
    /// next message header fails the read with `NNG_EMSGSIZE`. That error path finishes the
    /// protocol's receive and starts no further read, and the protocol then closes the
    /// connection from its own callback, where nothing can race it.
    ///
    /// What this cannot cover is a message partly transferred when the close lands: a write
    /// restarted for the rest of a message (seen with 1 MiB messages, and possible whenever a
    /// peer's buffers are full), or a read restarted mid-body. Frames here are small
    /// (policies, reports and acknowledgements of a few hundred bytes to a few KiB), so that
    /// window is rare; the tests that send megabyte frames let them arrive before closing.
    func endConnectionsAtTheirNextMessage() {
        // Fails only once the socket is closed; there is nothing left to end then.
        _ = nng_socket_set_size(handle, NNG_OPT_RECVMAXSZ, 1)
    }
}
