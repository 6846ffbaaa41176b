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
    case uniform

    /// The policy's short name, as `curriculum replay --policy` spells it.
    public var name: String {
        switch self {
        case .sec: SECPolicy.name
        case .dump: DUMPPolicy.name
        case .discountedUCB: DiscountedUCBPolicy.name
        case .slidingWindowUCB: SlidingWindowUCBPolicy.name
        case .exp3s: EXP3SPolicy.name
        case .discountedThompson: DiscountedThompsonPolicy.name
        case .learningProgress: LearningProgressPolicy.name
        case .uniform: UniformPolicy.name
        }
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
        case .uniform: UniformPolicy()
        }
    }
}
