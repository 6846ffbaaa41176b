/// One exported metric: its Prometheus name, what it measures, and how it is aggregated.
///
/// Names follow Prometheus conventions: the `curriculum_` prefix, `_total` on counters,
/// base units (seconds, bytes) in the name.
public struct MetricDescription: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case counter, gauge, histogram
    }

    public let name: String
    public let help: String
    public let kind: Kind
    /// Upper bounds of a histogram's buckets, in the metric's unit; empty otherwise.
    public let buckets: [Double]

    public init(_ name: String, _ kind: Kind, _ help: String, buckets: [Double] = []) {
        self.name = name
        self.help = help
        self.kind = kind
        self.buckets = buckets
    }
}
