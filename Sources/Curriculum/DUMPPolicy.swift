/// DUMP's UCB curriculum over data distributions (Wang et al., 2025, arXiv 2504.09710):
/// score `mu_j + c * sqrt(2 ln(N + 1) / (n_j + 1))`, where `mu_j` is the mean |advantage| of
/// the last 300 samples of category j, `n_j` its sample count and N the count over all
/// categories; sampling weights are `softmax(score / 0.1)`, uniform before any data.
///
/// Reports carry sums, not samples: the window is fed one chunk per report (see
/// ``SampleWindow``), each sample taken to carry the report's mean |A|. The staleness weight
/// scales the counts entered in the window and in n_j and N; the share is not used, since
/// `n` already is the worker's part of the batch.
public struct DUMPPolicy: CurriculumPolicy, ArmTable, Codable {
    public static let name = "dump"

    public struct Configuration: Sendable, Hashable, Codable {
        /// Exploration coefficient c (DUMP: 1.0).
        public var c: Double
        /// Softmax temperature (DUMP: 0.1).
        public var temperature: Double
        /// Window length in samples (DUMP: 300).
        public var window: Int

        public init(c: Double = 1.0, temperature: Double = 0.1, window: Int = 300) {
            self.c = c
            self.temperature = temperature
            self.window = window
        }

        func validate() throws(ConfigurationError) {
            try ConfigurationError.require(c >= 0 && c.isFinite, "c", c, "non-negative and finite")
            try ConfigurationError.require(
                temperature > 0 && temperature.isFinite, "temperature", temperature, "positive and finite")
            try ConfigurationError.require(window > 0, "window", window, "positive")
        }
    }

    public let configuration: Configuration
    var arms = ArmIndex()
    private var windows: [SampleWindow] = []
    private var counts: [Double] = []
    private var total = 0.0

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    mutating func appendArm() {
        windows.append(SampleWindow(capacity: Double(configuration.window)))
        counts.append(0)
    }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        let arm = position(of: report.category)
        let n = Double(report.count) * weight
        guard n > 0 else { return arm }
        windows[arm].append(count: n, mean: report.meanAbsAdvantage)
        counts[arm] += n
        total += n
        return arm
    }

    public mutating func advance(by steps: Int) {}

    /// Each arm's UCB score.
    public var scores: [Double] {
        let logTerm = 2 * Math.log(total + 1)
        return windows.indices.map { j in
            windows[j].mean + configuration.c * (logTerm / (counts[j] + 1)).squareRoot()
        }
    }

    public func distribution() -> CurriculumDistribution {
        let s = scores
        let p = total > 0 ? Softmax.probabilities(s, temperature: configuration.temperature) : Softmax.uniform(s.count)
        return CurriculumDistribution(categories: arms.names, probabilities: p, values: s)
    }

    public var snapshot: PolicySnapshot { .dump(self) }
}
