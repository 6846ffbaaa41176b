import CurriculumWire

/// Bytes received, by the socket they came on and the frame's topic: the broadcast (SUB:
/// POLI, and CTRL only for version mismatches) and the replies to this identity's own
/// requests (raw REQ: ACKS, CTRL). nng message bodies, without tcp/nng framing.
public struct ReceivedBytes: Sendable, Equatable {
    public var broadcast: [Topic: Int] = [:]
    public var replies: [Topic: Int] = [:]

    public init() {}

    public var total: Int { broadcast.values.reduce(0, +) + replies.values.reduce(0, +) }

    public mutating func add(_ other: ReceivedBytes) {
        broadcast.merge(other.broadcast, uniquingKeysWith: +)
        replies.merge(other.replies, uniquingKeysWith: +)
    }

    /// What was received after `earlier` was taken.
    public func since(_ earlier: ReceivedBytes) -> ReceivedBytes {
        var difference = self
        difference.broadcast.merge(earlier.broadcast.mapValues { -$0 }, uniquingKeysWith: +)
        difference.replies.merge(earlier.replies.mapValues { -$0 }, uniquingKeysWith: +)
        return difference
    }
}
