/// The complete state of a policy, tagged with its kind so that it can be decoded without
/// knowing the kind in advance.
public enum PolicySnapshot: Sendable, Codable {
    case sec(SECPolicy)
    case dump(DUMPPolicy)
    case discountedUCB(DiscountedUCBPolicy)
    case slidingWindowUCB(SlidingWindowUCBPolicy)
    case exp3s(EXP3SPolicy)
    case discountedThompson(DiscountedThompsonPolicy)
    case learningProgress(LearningProgressPolicy)
    case uniform(UniformPolicy)

    /// The policy's short name, as `--policy` takes it.
    public var name: String { type(of: policy).name }

    /// The policy this snapshot was taken of.
    public var policy: any CurriculumPolicy {
        switch self {
        case .sec(let p): p
        case .dump(let p): p
        case .discountedUCB(let p): p
        case .slidingWindowUCB(let p): p
        case .exp3s(let p): p
        case .discountedThompson(let p): p
        case .learningProgress(let p): p
        case .uniform(let p): p
        }
    }
}
