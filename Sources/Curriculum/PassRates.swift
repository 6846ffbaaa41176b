/// Each category's recent pass rate, the input of the pass-rate policies (learnability,
/// group-informative, band-pass).
///
/// A report's pass rate is its mean reward `sum_reward / n` mapped onto [0, 1] by
/// ``RewardScale`` (the identity for rewards already in [0, 1], such as a verifier's 0/1);
/// a category's recent pass rate is the mean over its last `window` samples, each sample
/// taken to carry its report's pass rate (see ``SampleWindow``). The staleness weight
/// scales the count a report enters with; the share is not used, since n already is the
/// worker's part of the batch. Reports with n = 0 change nothing. A category without
/// samples has no pass rate yet.
///
/// Reports that count their prompt groups also feed a second window of the same length:
/// the fraction of informative groups (not all G rewards equal), each report's samples
/// carrying its `1 - zero_variance_groups / groups`. Reports without group counts leave it
/// alone, so it measures what the workers that count groups saw.
struct PassRates: ArmTable, Sendable, Codable {
    let scale: RewardScale
    private let window: Int
    var arms = ArmIndex()
    private var windows: [SampleWindow] = []
    private var informative: [SampleWindow] = []

    /// Throws when the window is not positive or the scale is invalid: the parameters every
    /// pass-rate policy shares.
    init(window: Int, scale: RewardScale) throws(ConfigurationError) {
        try ConfigurationError.require(window > 0, "window", window, "positive")
        try scale.validate()
        self.window = window
        self.scale = scale
    }

    mutating func appendArm() {
        windows.append(SampleWindow(capacity: Double(window)))
        informative.append(SampleWindow(capacity: Double(window)))
    }

    /// Returns the position of the report's arm.
    @discardableResult
    mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        let arm = position(of: report.category)
        let n = Double(report.count) * weight
        guard n > 0 else { return arm }
        windows[arm].append(count: n, mean: scale.unit(report.meanReward))
        if let fraction = report.informativeGroupFraction { informative[arm].append(count: n, mean: fraction) }
        return arm
    }

    /// Each arm's recent pass rate, nil before its first sample.
    var rates: [Double?] {
        windows.map { $0.count > 0 ? $0.mean : nil }
    }

    /// Each arm's recent fraction of informative groups, nil while no report of it counted groups.
    var informativeGroupFractions: [Double?] {
        informative.map { $0.count > 0 ? $0.mean : nil }
    }
}
