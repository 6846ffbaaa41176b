/// The request IDs a raw REQ socket's sender writes itself: a cooked one would, but a raw
/// one sends whatever header it is given.
///
/// An ID is 4 bytes, big-endian, with the high bit set: the bit that tells a REP socket
/// (and any device on the way) where the backtrace ends. Only the low 31 bits count up.
public struct RequestIDs: Sendable {
    private var next: UInt32 = 0

    public init() {}

    /// The next request's header, for ``Socket/trySend(_:header:)``.
    public mutating func nextHeader() -> [UInt8] {
        let id = next | 0x8000_0000
        next = (next &+ 1) & 0x7FFF_FFFF
        return withUnsafeBytes(of: id.bigEndian) { Array($0) }
    }
}
