/// A policy chosen by name with its parameters; what the CLI and the coordinator store and
/// pass around.
public enum PolicyConfiguration: Sendable, Hashable, Codable {
    case sec(SECPolicy.Configuration)
    case dump(DUMPPolicy.Configuration)
    case discountedUCB(DiscountedUCBPolicy.Configuration)
    case slidingWindowUCB(SlidingWindowUCBPolicy.Configuration)
    case exp3s(EXP3SPolicy.Configuration)
    case discountedThompson(DiscountedThompsonPolicy.Configuration)
    case learningProgress(LearningProgressPolicy.Configuration)
    case learnability(LearnabilityPolicy.Configuration)
    case groupInformative(GroupInformativePolicy.Configuration)
    case bandPass(BandPassPolicy.Configuration)
    case fixedMixture(FixedMixturePolicy.Configuration)
    case scheduledMixture(ScheduledMixturePolicy.Configuration)
    case uniform
    /// `base` with a ``ProbabilityFloor`` on its distribution.
    indirect case floored(PolicyConfiguration, minimumProbability: Double)

    /// The policy's short name, as `curriculum replay --policy` spells it (a floored
    /// policy is named by the policy it wraps).
    public var name: String {
        switch self {
        case .sec: SECPolicy.name
        case .dump: DUMPPolicy.name
        case .discountedUCB: DiscountedUCBPolicy.name
        case .slidingWindowUCB: SlidingWindowUCBPolicy.name
        case .exp3s: EXP3SPolicy.name
        case .discountedThompson: DiscountedThompsonPolicy.name
        case .learningProgress: LearningProgressPolicy.name
        case .learnability: LearnabilityPolicy.name
        case .groupInformative: GroupInformativePolicy.name
        case .bandPass: BandPassPolicy.name
        case .fixedMixture: FixedMixturePolicy.name
        case .scheduledMixture: ScheduledMixturePolicy.name
        case .uniform: UniformPolicy.name
        case .floored(let base, _): base.name
        }
    }

    /// The floor on every category's probability (0 when there is none).
    public var minimumProbability: Double {
        if case .floored(let base, let minimum) = self { max(minimum, base.minimumProbability) } else { 0 }
    }

    /// This configuration with a floor of `minimum` (unchanged when `minimum` is 0).
    public func withMinimumProbability(_ minimum: Double) -> PolicyConfiguration {
        minimum == 0 ? self : .floored(self, minimumProbability: minimum)
    }

    /// Throws when the floor cannot hold for `categoryCount` categories (floor * K > 1).
    public func requireFloorFits(categoryCount: Int) throws(ConfigurationError) {
        let m = minimumProbability
        guard m * Double(categoryCount) > 1 else { return }
        throw ConfigurationError(
            parameter: "min-probability", value: "\(m)",
            expected: "at most 1/K = \(1 / Double(categoryCount)) for K = \(categoryCount) categories "
                + "(min-probability * K = \(m * Double(categoryCount)) exceeds 1)")
    }

    /// A fresh policy with no categories, or the first parameter out of range.
    public func makePolicy() throws(ConfigurationError) -> any CurriculumPolicy {
        switch self {
        case .sec(let c): try SECPolicy(c)
        case .dump(let c): try DUMPPolicy(c)
        case .discountedUCB(let c): try DiscountedUCBPolicy(c)
        case .slidingWindowUCB(let c): try SlidingWindowUCBPolicy(c)
        case .exp3s(let c): try EXP3SPolicy(c)
        case .discountedThompson(let c): try DiscountedThompsonPolicy(c)
        case .learningProgress(let c): try LearningProgressPolicy(c)
        case .learnability(let c): try LearnabilityPolicy(c)
        case .groupInformative(let c): try GroupInformativePolicy(c)
        case .bandPass(let c): try BandPassPolicy(c)
        case .fixedMixture(let c): try FixedMixturePolicy(c)
        case .scheduledMixture(let c): try ScheduledMixturePolicy(c)
        case .uniform: UniformPolicy()
        case .floored(let base, let minimum): try FlooredPolicy(base: base.makePolicy(), minimumProbability: minimum)
        }
    }
}
