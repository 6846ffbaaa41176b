/// The line `scripts/nfqueue-delay.py` prints when it stops: how long it really held packets.
struct DelayHolderReport: Decodable, Sendable, CustomStringConvertible {
    var queue: Int
    var held: Int
    var minMs: Double?
    var meanMs: Double?
    var maxMs: Double?
    /// Packets still held at the stop, let go early; not in the hold times.
    var releasedEarlyAtStop: Int
    /// Times the kernel dropped queue notifications because the holder fell behind.
    var overruns: Int

    enum CodingKeys: String, CodingKey {
        case queue, held, overruns
        case minMs = "min_ms"
        case meanMs = "mean_ms"
        case maxMs = "max_ms"
        case releasedEarlyAtStop = "released_early_at_stop"
    }

    var description: String {
        "held \(held) packets for \(minMs ?? 0)/\(meanMs ?? 0)/\(maxMs ?? 0) ms (min/mean/max), overruns \(overruns)"
    }
}
