/// A fixed mixture, the data-mixing baseline: each known category is sampled in proportion
/// to its configured weight, whatever the reports say. A known category the mixture does not
/// name gets weight 0; a named category no report or registration has made known gets no
/// probability yet. When no known category has a positive weight the distribution is uniform.
public struct FixedMixturePolicy: CurriculumPolicy, Codable {
    public static let name = "mixture"

    public struct Configuration: Sendable, Hashable, Codable {
        public var weights: MixtureWeights

        public init(weights: MixtureWeights) {
            self.weights = weights
        }
    }

    public let configuration: Configuration
    private var arms = ArmIndex()

    public init(_ configuration: Configuration) throws(ConfigurationError) {
        try configuration.weights.validate(parameter: "mixture")
        self.configuration = configuration
    }

    public var categories: [String] { arms.names }

    public mutating func register(_ category: String) { _ = arms.insert(category) }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int { arms.insert(report.category).position }

    public mutating func advance(by steps: Int) {}

    public func distribution() -> CurriculumDistribution {
        let w = configuration.weights.weights(of: arms.names)
        return CurriculumDistribution(categories: arms.names, probabilities: Softmax.proportional(w), values: w)
    }

    public var snapshot: PolicySnapshot { .fixedMixture(self) }
}

/// A mixture scheduled over training steps: knots `(step, weights)`, and at any step each
/// category's weight is interpolated linearly between the knots around it (a category a knot
/// does not name has weight 0 there), held at the first knot's weights before it and at the
/// last's after it. The probabilities are the weights normalised over the known categories,
/// as for ``FixedMixturePolicy``.
///
/// The step is the number of training steps (policy versions) the policy has seen end since
/// it was created: the policy version, for a coordinator started fresh at version 0.
public struct ScheduledMixturePolicy: CurriculumPolicy, Codable {
    public static let name = "schedule"

    public struct Knot: Sendable, Hashable, Codable {
        public var step: Int
        public var weights: MixtureWeights

        public init(step: Int, weights: MixtureWeights) {
            self.step = step
            self.weights = weights
        }
    }

    public struct Configuration: Sendable, Hashable, Codable {
        /// In increasing order of step.
        public var knots: [Knot]

        public init(knots: [Knot]) {
            self.knots = knots
        }

        /// Parses `STEP:CATEGORY=WEIGHT,...;STEP:...`, for example
        /// `0:easy=1,hard=0;200:easy=0,hard=1`.
        public static func parse(_ text: String) throws(ConfigurationError) -> Configuration {
            var knots: [Knot] = []
            for part in text.split(separator: ";") {
                guard let colon = part.firstIndex(of: ":"), let step = Int(part[..<colon]) else {
                    throw ConfigurationError(
                        parameter: "schedule", value: "\"\(part)\"", expected: "STEP:CATEGORY=WEIGHT,... knots separated by ;")
                }
                let weights = try MixtureWeights.parse(part[part.index(after: colon)...], parameter: "schedule")
                knots.append(Knot(step: step, weights: weights))
            }
            let configuration = Configuration(knots: knots)
            try configuration.validate()
            return configuration
        }

        func validate() throws(ConfigurationError) {
            try ConfigurationError.require(!knots.isEmpty, "schedule", knots.count, "at least one knot")
            for (i, knot) in knots.enumerated() {
                try knot.weights.validate(parameter: "schedule")
                try ConfigurationError.require(knot.step >= 0, "schedule", knot.step, "a step >= 0")
                if i > 0 {
                    try ConfigurationError.require(
                        knot.step > knots[i - 1].step, "schedule", knot.step,
                        "above the previous knot's step \(knots[i - 1].step)")
                }
            }
        }
    }

    public let configuration: Configuration
    private var arms = ArmIndex()
    /// Training steps seen since the policy was created.
    public private(set) var step = 0

    public init(_ configuration: Configuration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    public var categories: [String] { arms.names }

    public mutating func register(_ category: String) { _ = arms.insert(category) }

    @discardableResult
    public mutating func merge(_ report: CategoryReport, weight: Double) -> Int { arms.insert(report.category).position }

    public mutating func advance(by steps: Int) {
        guard steps > 0 else { return }
        step = step.addingReportingOverflow(steps).overflow ? .max : step + steps
    }

    /// Each known category's weight at the current step.
    public var weights: [Double] {
        let knots = configuration.knots
        let after = knots.firstIndex { $0.step > step } ?? knots.count
        if after == 0 { return knots[0].weights.weights(of: arms.names) }
        if after == knots.count { return knots[after - 1].weights.weights(of: arms.names) }
        let (from, to) = (knots[after - 1], knots[after])
        let t = Double(step - from.step) / Double(to.step - from.step)
        return zip(from.weights.weights(of: arms.names), to.weights.weights(of: arms.names)).map { (1 - t) * $0 + t * $1 }
    }

    public func distribution() -> CurriculumDistribution {
        let w = weights
        return CurriculumDistribution(categories: arms.names, probabilities: Softmax.proportional(w), values: w)
    }

    public var snapshot: PolicySnapshot { .scheduledMixture(self) }
}
