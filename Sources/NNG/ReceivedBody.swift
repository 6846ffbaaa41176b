import CNNG

/// Owns one received `nng_msg` so a ``Message`` can read its body in place instead of
/// copying it; the message is freed when the last `Message` sharing this box goes away.
///
/// The `@unchecked Sendable` is sound because the box only ever reads the message:
/// `msg` is a `let` taken over from nng in `init`, nothing writes to the `nng_msg` afterwards
/// (`nng_msg_len`, `nng_msg_body`, `nng_msg_header`, `nng_msg_header_len` and
/// `nng_msg_get_pipe` only read its fields, and callers
/// see the body only as a read-only `UnsafeRawBufferPointer`), and concurrent reads of
/// unchanging memory do not race. `deinit` runs once, after the last
/// reference is gone, so no reader can overlap the `nng_msg_free`.
final class ReceivedBody: @unchecked Sendable {
    private let msg: OpaquePointer

    /// Takes ownership of `msg`, which the caller must own and not touch again.
    init(taking msg: OpaquePointer) {
        self.msg = msg
    }

    deinit {
        nng_msg_free(msg)
    }

    var count: Int { nng_msg_len(msg) }

    var header: [UInt8] {
        Array(UnsafeRawBufferPointer(start: nng_msg_header(msg), count: nng_msg_header_len(msg)))
    }

    var pipe: PipeID { PipeID(rawValue: nng_msg_get_pipe(msg).id) }

    /// Lends the body; `self` is borrowed for the whole call, so the memory stays valid.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: nng_msg_body(msg), count: nng_msg_len(msg)))
    }
}
