/// The curriculum state a coordinator owns: a policy, the current policy version, the
/// staleness rules and exact totals of everything accepted.
///
/// ``apply(_:)`` validates a report, computes its staleness, rejects it if it is from the
/// future or too stale, weights it, merges it into the policy and adds it to the totals.
/// The distribution is cached until the next change. The whole value is `Codable`;
/// decoding an encoded curriculum gives one that behaves identically.
public struct Curriculum: Sendable {
    /// What merging a report did.
    public struct MergeOutcome: Sendable, Hashable {
        /// current version - report version.
        public var staleness: Int
        /// The staleness weight the report was merged with.
        public var weight: Double
        /// Whether this was the first report merged for its category: its totals began with it.
        public var isFirstOfCategory: Bool

        public init(staleness: Int, weight: Double, isFirstOfCategory: Bool = false) {
            self.staleness = staleness
            self.weight = weight
            self.isFirstOfCategory = isFirstOfCategory
        }
    }

    /// The version can only move forward.
    public struct VersionRegression: Error, Sendable, Hashable, CustomStringConvertible {
        public var current: Int
        public var requested: Int

        public init(current: Int, requested: Int) {
            self.current = current
            self.requested = requested
        }

        public var description: String {
            "version \(requested) is behind the current version \(current)"
        }
    }

    public private(set) var policy: any CurriculumPolicy
    /// The current policy version (training step).
    public private(set) var version: Int
    public let staleness: StalenessConfiguration
    /// The categories with totals, in the order of their first accepted report, and their totals.
    private var totalsIndex = ArmIndex()
    private var totalsByArm: [CategoryTotals] = []
    /// Where each policy arm's totals are in `totalsByArm`, by the arm's position in the policy
    /// (nil, or missing at the end: none yet). A merge finds its totals through the arm the
    /// policy looked up, instead of hashing the category name a second time: that second
    /// lookup took 3.8% of all CPU time of in-process ingest (IngestBench, 16 agents).
    private var totalsByPolicyArm: [Int?] = []
    private var cachedDistribution: CurriculumDistribution?

    /// A curriculum with a fresh policy at `version`.
    public init(
        policy configuration: PolicyConfiguration,
        staleness: StalenessConfiguration = .init(),
        version: Int = 0
    ) throws(ConfigurationError) {
        try staleness.validate()
        self.policy = try configuration.makePolicy()
        self.staleness = staleness
        self.version = version
    }

    /// A curriculum around an existing policy (for example one restored from a snapshot).
    public init(policy: any CurriculumPolicy, staleness: StalenessConfiguration = .init(), version: Int = 0)
        throws(ConfigurationError)
    {
        try staleness.validate()
        self.policy = policy
        self.staleness = staleness
        self.version = version
    }

    /// Validates, weights and merges one report, or throws why it was refused (and then
    /// changes nothing).
    @discardableResult
    public mutating func apply(_ report: CategoryReport) throws(ReportRejection) -> MergeOutcome {
        try report.validate()
        let (s, w) = try staleness.weight(reportVersion: report.version, current: version)
        return MergeOutcome(staleness: s, weight: w, isFirstOfCategory: merge(validated: report, weight: w))
    }

    /// Merges a report its caller has validated (``CategoryReport/validate()``) and weighed
    /// (``StalenessConfiguration/weight(reportVersion:current:)`` at this version). A
    /// coordinator checks a whole multi-category report before merging any of it, and so
    /// need not check each category again here. Returns whether this was the first report
    /// of its category.
    @discardableResult
    public mutating func merge(validated report: CategoryReport, weight: Double) -> Bool {
        let policyArm = policy.merge(report, weight: weight)
        if policyArm >= totalsByPolicyArm.count {
            totalsByPolicyArm += repeatElement(nil, count: policyArm + 1 - totalsByPolicyArm.count)
        }
        var inserted = false
        let arm: Int
        if let known = totalsByPolicyArm[policyArm] {
            arm = known
        } else {
            let (position, isNew) = totalsIndex.insert(report.category)
            if isNew { totalsByArm.append(CategoryTotals()) }
            totalsByPolicyArm[policyArm] = position
            arm = position
            inserted = isNew
        }
        totalsByArm[arm].add(report)
        cachedDistribution = nil
        return inserted
    }

    /// Registers a category before any report names it, at the policy's initial value.
    public mutating func register(_ category: String) {
        policy.register(category)
        cachedDistribution = nil
    }

    /// Moves to `newVersion` (a training step ended), letting discounting policies decay.
    public mutating func advance(to newVersion: Int) throws(VersionRegression) {
        guard newVersion >= version else { throw VersionRegression(current: version, requested: newVersion) }
        guard newVersion > version else { return }
        policy.advance(by: newVersion - version)
        version = newVersion
        cachedDistribution = nil
    }

    /// The policy's distribution, computed at most once per change.
    public mutating func distribution() -> CurriculumDistribution {
        if let cachedDistribution { return cachedDistribution }
        let d = policy.distribution()
        cachedDistribution = d
        return d
    }

    /// The unweighted totals of every accepted report of `category`, nil if none was accepted.
    public func totals(for category: String) -> CategoryTotals? {
        totalsIndex.position(of: category).map { totalsByArm[$0] }
    }

    /// The unweighted totals of every accepted report, by category.
    public var totals: [String: CategoryTotals] {
        Dictionary(uniqueKeysWithValues: zip(totalsIndex.names, totalsByArm))
    }
}

extension Curriculum: Codable {
    private enum CodingKeys: String, CodingKey {
        case policy, version, staleness, totalsCategories, totals
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        policy = try c.decode(PolicySnapshot.self, forKey: .policy).policy
        version = try c.decode(Int.self, forKey: .version)
        staleness = try c.decode(StalenessConfiguration.self, forKey: .staleness)
        totalsIndex = try c.decode(ArmIndex.self, forKey: .totalsCategories)
        totalsByArm = try c.decode([CategoryTotals].self, forKey: .totals)
        guard totalsIndex.count == totalsByArm.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .totals, in: c, debugDescription: "totals and their categories differ in length")
        }
        totalsByPolicyArm = policy.categories.map { totalsIndex.position(of: $0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy.snapshot, forKey: .policy)
        try c.encode(version, forKey: .version)
        try c.encode(staleness, forKey: .staleness)
        try c.encode(totalsIndex, forKey: .totalsCategories)
        try c.encode(totalsByArm, forKey: .totals)
    }
}
