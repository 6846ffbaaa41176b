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
    case learnability(LearnabilityPolicy)
    case groupInformative(GroupInformativePolicy)
    case bandPass(BandPassPolicy)
    case fixedMixture(FixedMixturePolicy)
    case scheduledMixture(ScheduledMixturePolicy)
    case uniform(UniformPolicy)
    case floored(FlooredPolicy)

    /// The policy's short name, as `--policy` takes it; a floored policy's is the one it wraps.
    public var name: String {
        if case .floored(let p) = self { return p.base.snapshot.name }
        return type(of: policy).name
    }

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
        case .learnability(let p): p
        case .groupInformative(let p): p
        case .bandPass(let p): p
        case .fixedMixture(let p): p
        case .scheduledMixture(let p): p
        case .uniform(let p): p
        case .floored(let p): p
        }
    }
}
