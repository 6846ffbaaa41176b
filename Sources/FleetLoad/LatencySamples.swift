/// Latencies in milliseconds, kept whole so percentiles are exact (a 2,000-worker minute
/// reporting every 2 s is 60,000 samples, under 0.5 MB).
public struct LatencySamples: Sendable {
    public private(set) var milliseconds: [Double] = []

    public init() {}

    mutating func record(_ value: Double) { milliseconds.append(value) }

    mutating func removeAll() { milliseconds.removeAll(keepingCapacity: true) }

    public var count: Int { milliseconds.count }

    /// The nearest-rank percentile (`fraction` in 0...1); nan without samples.
    public func percentile(_ fraction: Double) -> Double {
        guard !milliseconds.isEmpty else { return .nan }
        let sorted = milliseconds.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
