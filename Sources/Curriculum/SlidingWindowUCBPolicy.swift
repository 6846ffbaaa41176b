/// Sliding-window UCB (Garivier and Moulines, 2008, arXiv 0805.3415): the mean reward of
/// arm k over the last `window` plays of all arms, bonus `c sqrt(xi ln(min(t, window)) /
/// N_k)` with N_k the plays of k inside the window and t all plays so far, sampled with
/// `softmax(index / temperature)`.
///
/// A play is one sample. A report enters the window as one chunk of its (staleness-weighted)
/// count, every sample carrying the report's reward; the oldest chunk is cut proportionally
/// when the window overflows (as in ``SampleWindow``). The share is not used. An arm whose
/// plays have all left the window is unplayed again and gets +infinity, as in the paper.
public struct SlidingWindowUCBPolicy: CurriculumPolicy, RewardSignalArmTable, Codable {
    public static let name = "swucb"

    public struct Configuration: Sendable, Hashable, Codable {
        /// Window length in samples: 2,048 is eight steps of SEC's 256-sample batch.
        public var window: Int
        public var c: Double
        public var xi: Double
        public var temperature: Double
        public var objective: RewardObjective

        public init(
            window: Int = 2048,
            c: Double = 1.0,
            xi: Double = 2.0,
            temperature: Double = 0.1,
            objective: RewardObjective = .advantage
        ) {
            self.window = window
            self.c = c
            self.xi = xi
            self.temperature = temperature
            self.objective = objective
        }

        func validate() throws(ConfigurationError) {
            try ConfigurationError.require(window > 0, "window", window, "positive")
            try ConfigurationError.require(c >= 0 && c.isFinite, "c", c, "non-negative and finite")
            try ConfigurationError.require(xi >= 0 && xi.isFinite, "xi", xi, "non-negative and finite")
            try ConfigurationError.require(
                temperature > 0 && temperature.isFinite, "temperature", temperature, "positive and finite")
        }
    }

    private struct Chunk: Sendable, Codable {
        var arm: Int
        var count: Double
        var sum: Double
    }

    public let configuration: Configuration
    var arms = ArmIndex()
    private var chunks: [Chunk] = []
    private var head = 0
    private var windowCount = 0.0
    private var counts: [Double] = []
    private var liveChunks: [Int] = []
    private var sums: [Double] = []
    private var plays = 0.0
    var signal: RewardSignal

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        signal = RewardSignal(objective: configuration.objective)
    }

    mutating func appendArm() {
        counts.append(0)
        liveChunks.append(0)
        sums.append(0)
        signal.appendArm()
    }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        let arm = position(of: report.category)
        guard let samples = weightedSamples(of: report, arm: arm, weight: weight) else { return arm }
        let (r, n) = samples
        let s = Math.clampFinite(n * r)
        chunks.append(Chunk(arm: arm, count: n, sum: s))
        counts[arm] += n
        sums[arm] = Math.clampFinite(sums[arm] + s)
        liveChunks[arm] += 1
        windowCount += n
        plays += n
        evictOverflow()
        return arm
    }

    private mutating func evictOverflow() {
        var excess = windowCount - Double(configuration.window)
        while excess > 0 {
            let oldest = chunks[head]
            let removed = min(oldest.count, excess)
            let removedSum = removed == oldest.count ? oldest.sum : oldest.sum * (removed / oldest.count)
            counts[oldest.arm] -= removed
            sums[oldest.arm] -= removedSum
            windowCount -= removed
            excess -= removed
            if removed == oldest.count {
                head += 1
                liveChunks[oldest.arm] -= 1
                if liveChunks[oldest.arm] == 0 {
                    // Subtraction leaves rounding dust; an arm with no plays left must be
                    // exactly unplayed so that its index is +infinity again.
                    counts[oldest.arm] = 0
                    sums[oldest.arm] = 0
                }
            } else {
                chunks[head].count -= removed
                chunks[head].sum -= removedSum
            }
        }
        if head > 32, head * 2 > chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }

    public mutating func advance(by steps: Int) {}

    /// Each arm's index; +infinity for an arm with no plays in the window.
    public var indices: [Double] {
        UCBIndex.values(
            sums: sums, counts: counts, total: min(plays, Double(configuration.window)), c: configuration.c,
            xi: configuration.xi)
    }

    public func distribution() -> CurriculumDistribution {
        UCBIndex.distribution(categories: arms.names, indices: indices, temperature: configuration.temperature)
    }

    public var snapshot: PolicySnapshot { .slidingWindowUCB(self) }
}
