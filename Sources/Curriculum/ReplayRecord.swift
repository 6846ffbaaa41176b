/// One output line of `curriculum replay`.
///
/// After an accepted report or a step: the line number, the version, the report's category,
/// staleness and weight (reports only) and every arm's probability and value. After a
/// refused line: the line number, a snake_case error code and a readable reason.
public struct ReplayRecord: Sendable, Hashable, Encodable {
    /// One arm in the distribution.
    public struct Arm: Sendable, Hashable, Encodable {
        public var category: String
        public var p: Double
        public var value: Double
    }

    public var line: Int
    public var version: Int?
    public var category: String?
    public var staleness: Int?
    public var weight: Double?
    public var arms: [Arm]?
    public var error: String?
    public var reason: String?

    /// A record for a line that changed the state.
    public init(line: Int, version: Int, category: String? = nil, outcome: Curriculum.MergeOutcome? = nil,
                distribution: CurriculumDistribution) {
        self.line = line
        self.version = version
        self.category = category
        self.staleness = outcome?.staleness
        self.weight = outcome?.weight
        self.arms = distribution.categories.indices.map {
            Arm(category: distribution.categories[$0], p: distribution.probabilities[$0],
                value: distribution.values[$0])
        }
    }

    /// A record for a refused line.
    public init(line: Int, error: String, reason: String) {
        self.line = line
        self.error = error
        self.reason = reason
    }

    /// Whether the line was refused.
    public var isError: Bool { error != nil }
}
