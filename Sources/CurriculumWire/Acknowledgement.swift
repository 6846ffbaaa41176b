/// What one `WorkerAck` tells its worker, as plain values.
public struct Acknowledgement: Sendable, Hashable {
    /// Every sequence number up to and including this one was received.
    public var contiguousThrough: UInt64
    /// Sequence numbers above `contiguousThrough` also received.
    public var selective: [UInt64]
    /// Of all the incarnation's reports, how many were rejected.
    public var rejected: UInt64

    public init(contiguousThrough: UInt64 = 0, selective: [UInt64] = [], rejected: UInt64 = 0) {
        self.contiguousThrough = contiguousThrough
        self.selective = selective
        self.rejected = rejected
    }

    /// The same acknowledgement, from the general decoder's message.
    public init(_ ack: Wire.WorkerAck) {
        self.init(contiguousThrough: ack.contiguousThrough, selective: ack.selective, rejected: ack.rejected)
    }
}
