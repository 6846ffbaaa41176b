/// A minimum probability m per category, applied after any policy's distribution: the
/// arms below m are raised to m and the others scaled down in proportion to pay for it,
/// `q_i = max(m, s p_i)` with s chosen so that the q sum to 1 (water-filling). A
/// distribution already at or above the floor everywhere is left as it is, and the order
/// of the arms' probabilities is kept.
///
/// A floor only fits K categories when `m K <= 1`; where K is known beforehand that is
/// checked (``PolicyConfiguration/requireFloorFits(categoryCount:)``). When categories
/// appear later and m K exceeds 1, the floor becomes 1/K: the distribution is uniform,
/// and no category is refused.
enum ProbabilityFloor {
    static func apply(_ p: [Double], minimum: Double) -> [Double] {
        let k = p.count
        guard k > 0, minimum > 0 else { return p }
        let m = min(minimum, 1 / Double(k))
        if m * Double(k) >= 1 { return Softmax.uniform(k) }
        let ascending = p.indices.sorted { p[$0] < p[$1] }
        // rest[j]: the total of the j-th smallest probability and all larger ones.
        var rest = [Double](repeating: 0, count: k + 1)
        var sum = CompensatedSum()
        for j in stride(from: k - 1, through: 0, by: -1) {
            sum.add(p[ascending[j]])
            rest[j] = sum.value
        }
        // The fewest smallest arms to pin at m such that the rest, scaled to fill 1 - pinned m,
        // all stay at or above m. It exists: with k - 1 pinned, the largest gets 1 - (k - 1) m > m.
        var pinned = 0
        var scale = 1.0
        while pinned < k {
            scale = (1 - Double(pinned) * m) / rest[pinned]
            if rest[pinned] > 0, p[ascending[pinned]] * scale >= m { break }
            pinned += 1
        }
        var q = p
        for (j, i) in ascending.enumerated() { q[i] = j < pinned ? m : p[i] * scale }
        return q
    }
}

/// Any policy with a ``ProbabilityFloor`` on its distribution: learns exactly as the policy
/// it wraps, and samples with every category's probability at least `minimumProbability`.
public struct FlooredPolicy: CurriculumPolicy, Codable {
    /// Snapshots name the wrapped policy; see ``PolicySnapshot/name``.
    public static let name = "floored"

    public let minimumProbability: Double
    public private(set) var base: any CurriculumPolicy

    public init(base: any CurriculumPolicy, minimumProbability: Double) throws(ConfigurationError) {
        try ConfigurationError.require(
            minimumProbability >= 0 && minimumProbability <= 1, "min-probability", minimumProbability, "in [0, 1]")
        self.base = base
        self.minimumProbability = minimumProbability
    }

    public var categories: [String] { base.categories }

    public mutating func register(_ category: String) { base.register(category) }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int { base.merge(report, weight: weight) }

    public mutating func advance(by steps: Int) { base.advance(by: steps) }

    public func distribution() -> CurriculumDistribution {
        var d = base.distribution()
        d.probabilities = ProbabilityFloor.apply(d.probabilities, minimum: minimumProbability)
        return d
    }

    public var snapshot: PolicySnapshot { .floored(self) }

    private enum CodingKeys: String, CodingKey {
        case minimumProbability, base
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            base: c.decode(PolicySnapshot.self, forKey: .base).policy,
            minimumProbability: c.decode(Double.self, forKey: .minimumProbability))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(minimumProbability, forKey: .minimumProbability)
        try c.encode(base.snapshot, forKey: .base)
    }
}
