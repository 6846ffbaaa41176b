import Curriculum
import CurriculumWire

/// A sampling distribution as the coordinator published it.
public struct PublishedPolicy: Sendable, Hashable {
    public var version: UInt64
    public var distribution: CurriculumDistribution
    public var policyName: String

    init?(_ policy: PolicyFrame) {
        guard policy.categories.count == policy.probabilities.count,
            policy.categories.count == policy.values.count
        else { return nil }
        version = policy.version
        distribution = CurriculumDistribution(
            categories: policy.categories, probabilities: policy.probabilities, values: policy.values)
        policyName = policy.policyName
    }
}
