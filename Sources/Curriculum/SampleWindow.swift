/// The last `capacity` samples of a stream that arrives in chunks of (count, mean), without
/// storing samples one by one.
///
/// A report contributes one chunk: its (staleness-weighted) sample count and its mean, i.e.
/// each of its samples is taken to carry the report's mean. When the window overflows, the
/// oldest chunks leave first and the one straddling the boundary is shortened, keeping its
/// mean. This equals a per-sample window exactly whenever every report's samples are equal,
/// and otherwise differs only inside the one straddling chunk.
struct SampleWindow: Sendable, Codable {
    struct Chunk: Sendable, Codable {
        var count: Double
        var mean: Double
    }

    let capacity: Double
    private var chunks: [Chunk] = []
    private var head = 0
    private(set) var count = 0.0
    private(set) var mean = 0.0

    init(capacity: Double) {
        self.capacity = capacity
    }

    mutating func append(count: Double, mean: Double) {
        guard count > 0 else { return }
        chunks.append(Chunk(count: count, mean: mean))
        self.count += count
        var excess = self.count - capacity
        while excess > 0 {
            if chunks[head].count <= excess {
                excess -= chunks[head].count
                head += 1
            } else {
                chunks[head].count -= excess
                excess = 0
            }
        }
        if head > 32, head * 2 > chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
        // Re-adding the few live chunks keeps the count free of the drift that subtracting
        // evicted chunks would accumulate; the mean as a convex combination of chunk means
        // cannot overflow even when the means are near the limits of Double.
        var n = CompensatedSum()
        for chunk in chunks[head...] { n.add(chunk.count) }
        self.count = n.value
        var m = CompensatedSum()
        for chunk in chunks[head...] { m.add(chunk.count / self.count * chunk.mean) }
        self.mean = Math.clampFinite(m.value)
    }
}
