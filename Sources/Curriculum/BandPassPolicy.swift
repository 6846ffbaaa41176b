/// Band-pass admission (online difficulty filtering; DAPO's dynamic sampling drops the
/// groups whose rewards are all equal): train only on categories the model solves
/// sometimes, not always or never.
///
/// A category is admitted when its recent pass rate p (``PassRates``) lies in the band
/// `[low, high]`, bounds included; the others get probability 0 (raise it with
/// `--min-probability`). Admitted categories are equally likely, except when reports count
/// their zero-variance groups: then each admitted category is weighted by its recent
/// fraction of informative groups (not all rewards equal), the fraction of its samples that
/// DAPO-style filtering would keep; a category without group counts weighs as much as the
/// best measured one, and if every admitted weight is 0 they are equally likely again.
///
/// - A category without samples is admitted, so that it gets measured.
/// - When no category is in the band, the ones nearest to it are admitted instead (the
///   smallest `max(low - p, p - high)`, ties sharing equally): the curriculum keeps
///   training on the closest thing to useful rather than stopping or going uniform.
public struct BandPassPolicy: PassRatePolicy, Codable {
    public static let name = "bandpass"

    public struct Configuration: Sendable, Hashable, Codable {
        /// The lowest pass rate admitted.
        public var low: Double
        /// The highest pass rate admitted.
        public var high: Double
        /// Samples per category in the pass-rate window.
        public var window: Int
        /// Maps the mean reward onto [0, 1]; the default is the identity for rewards in [0, 1].
        public var scale: RewardScale

        public init(
            low: Double = 0.1, high: Double = 0.9, window: Int = PassRatePolicyDefaults.window,
            scale: RewardScale = .init()
        ) {
            self.low = low
            self.high = high
            self.window = window
            self.scale = scale
        }
    }

    public let configuration: Configuration
    var passRates: PassRates

    public init(_ configuration: Configuration = .init()) throws(ConfigurationError) {
        try ConfigurationError.require(
            configuration.low >= 0 && configuration.low <= 1, "band-low", configuration.low, "in [0, 1]")
        try ConfigurationError.require(
            configuration.high >= configuration.low && configuration.high <= 1, "band-high", configuration.high,
            "in [band-low, 1]")
        passRates = try PassRates(window: configuration.window, scale: configuration.scale)
        self.configuration = configuration
    }

    /// How far each arm's pass rate lies outside the band: 0 inside it or without samples.
    public var distances: [Double] {
        let (low, high) = (configuration.low, configuration.high)
        return passRates.rates.map { rate in rate.map { max(low - $0, $0 - high, 0) } ?? 0 }
    }

    public func distribution() -> CurriculumDistribution {
        let d = distances
        let nearest = d.min() ?? 0
        let admitted = d.map { $0 == nearest }
        let fractions = passRates.informativeGroupFractions
        let unmeasured = zip(admitted, fractions).compactMap { $0 ? $1 : nil }.max() ?? 1
        let weights = zip(admitted, fractions).map { isAdmitted, fraction in isAdmitted ? fraction ?? unmeasured : 0 }
        let p = weights.contains { $0 > 0 } ? weights : admitted.map { $0 ? 1.0 : 0 }
        return CurriculumDistribution(
            categories: categories, probabilities: Softmax.proportional(p),
            values: passRates.rates.map { $0 ?? PassRatePolicyDefaults.unknownPassRate })
    }

    public var snapshot: PolicySnapshot { .bandPass(self) }
}
