/// The categories of one batch, drawn from one policy version.
public struct CurriculumBatch: Sendable, Hashable {
    /// The version the draw used; report the batch's statistics under it.
    public var policyVersion: UInt64
    /// Every category of the policy, in its order.
    public var categories: [String]
    /// How many of the batch's samples each category gets; parallel to `categories`.
    public var counts: [Int]

    /// One category per sample, in category order: `counts[i]` copies of `categories[i]`.
    public var assignments: [String] {
        zip(categories, counts).flatMap { repeatElement($0, count: $1) }
    }

    public var size: Int { counts.reduce(0, +) }
}
