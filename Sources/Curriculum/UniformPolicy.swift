/// The random baseline: every known category equally likely, whatever the reports say.
public struct UniformPolicy: CurriculumPolicy, Codable {
    public static let name = "uniform"

    private var arms = ArmIndex()

    public init() {}

    public var categories: [String] { arms.names }

    public mutating func register(_ category: String) {
        _ = arms.insert(category)
    }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int {
        arms.insert(report.category).position
    }

    public mutating func advance(by steps: Int) {}

    public func distribution() -> CurriculumDistribution {
        CurriculumDistribution(
            categories: arms.names,
            probabilities: Softmax.uniform(arms.count),
            values: [Double](repeating: 0, count: arms.count)
        )
    }

    public var snapshot: PolicySnapshot { .uniform(self) }
}
