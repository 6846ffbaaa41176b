import CNNG

/// A received message: its body bytes and the pipe it arrived on.
public struct Message: Sendable, Hashable {
    /// The message body.
    public var bytes: [UInt8]
    /// The connection the message arrived on.
    public var pipe: PipeID

    /// Creates a message, for example to compare against a received one.
    public init(bytes: [UInt8], pipe: PipeID = PipeID(rawValue: 0)) {
        self.bytes = bytes
        self.pipe = pipe
    }

    /// Copies the body out of an nng message and frees it; the caller must own `msg`.
    init(consuming msg: OpaquePointer) {
        let count = nng_msg_len(msg)
        if count == 0 {
            self.bytes = []
        } else {
            let body = UnsafeRawBufferPointer(start: nng_msg_body(msg), count: count)
            self.bytes = Array(body)
        }
        self.pipe = PipeID(rawValue: nng_msg_get_pipe(msg).id)
        nng_msg_free(msg)
    }

    /// The body decoded as UTF-8, repairing invalid sequences.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
