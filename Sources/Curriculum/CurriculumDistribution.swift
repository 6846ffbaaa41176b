/// A sampling distribution over the known categories, with each arm's value for logging.
///
/// The three arrays are parallel and in the order categories first appeared.
public struct CurriculumDistribution: Sendable, Hashable, Codable {
    /// The category names.
    public var categories: [String]
    /// The probability of each category; they sum to 1 within 1e-12 (or the array is empty).
    public var probabilities: [Double]
    /// Each arm's value as the policy sees it (SEC's Q, a UCB index, a posterior mean, ...).
    public var values: [Double]

    public init(categories: [String], probabilities: [Double], values: [Double]) {
        precondition(categories.count == probabilities.count && categories.count == values.count)
        self.categories = categories
        self.probabilities = probabilities
        self.values = values
    }

    /// The probability of `category`, or nil if it is unknown. Linear in the number of arms.
    public func probability(of category: String) -> Double? {
        categories.firstIndex(of: category).map { probabilities[$0] }
    }
}
