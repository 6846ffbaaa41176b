/// Maps a reward onto [0, 1] for the policies that need bounded rewards (EXP3.S, Bernoulli
/// Thompson sampling): `x = clamp((r - lower) / (upper - lower), 0, 1)`.
///
/// The default [0, 1] suits the "adv" objective with group-normalised advantages, whose mean
/// |A| is at most sqrt(mean A^2) = 1 by Cauchy–Schwarz; for the signed "progress" objective
/// use a symmetric range such as [-1, 1].
public struct RewardScale: Sendable, Hashable, Codable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double = 0, upper: Double = 1) {
        self.lower = lower
        self.upper = upper
    }

    func validate() throws(ConfigurationError) {
        try ConfigurationError.require(lower.isFinite, "reward-lower", lower, "finite")
        try ConfigurationError.require(
            upper.isFinite && upper > lower, "reward-upper", upper, "finite and above reward-lower")
    }

    /// `r` on the unit interval.
    @inline(__always) public func unit(_ r: Double) -> Double {
        min(max((r - lower) / (upper - lower), 0), 1)
    }
}
