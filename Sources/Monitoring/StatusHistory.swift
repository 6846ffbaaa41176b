/// The recent course of the policy, one sample a second, for the dashboard's charts.
///
/// Pure state: the server appends what it sampled and answers "what came after T".
/// Bounded: the oldest samples go once `capacity` is reached (15 minutes at 1 Hz by
/// default, about 600 KB with 64 categories).
public struct StatusHistory: Sendable {
    public struct Sample: Sendable, Hashable, Codable {
        /// Wall-clock time of the sample, in milliseconds since 1970.
        public var timeMs: UInt64
        public var version: UInt64
        public var categories: [String]
        public var probabilities: [Double]
        public var values: [Double]
        public var reportsAccepted: UInt64

        public init(
            timeMs: UInt64, version: UInt64, categories: [String], probabilities: [Double], values: [Double],
            reportsAccepted: UInt64
        ) {
            self.timeMs = timeMs
            self.version = version
            self.categories = categories
            self.probabilities = probabilities
            self.values = values
            self.reportsAccepted = reportsAccepted
        }
    }

    public let capacity: Int
    public private(set) var samples: [Sample] = []

    public init(capacity: Int = 900) {
        precondition(capacity > 0, "a history keeps at least one sample")
        self.capacity = capacity
    }

    /// Adds a sample; one not newer than the last is ignored, so times only increase.
    public mutating func append(_ sample: Sample) {
        if let last = samples.last, sample.timeMs <= last.timeMs { return }
        // Removing from the front of an array of 900 once a second costs microseconds;
        // a ring buffer would not be worth its index arithmetic here.
        if samples.count == capacity { samples.removeFirst() }
        samples.append(sample)
    }

    /// The samples taken after `timeMs`, oldest first.
    public func samples(after timeMs: UInt64) -> ArraySlice<Sample> {
        let start = samples.partitioningIndex { $0.timeMs > timeMs }
        return samples[start...]
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false
    /// then true along the array (binary search).
    fileprivate func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
